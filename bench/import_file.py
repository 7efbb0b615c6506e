"""The spreadsheet the import benchmark brings in: N rows, 12 columns, the way a Russian
sales spreadsheet looks (10 % of its rows repeat a phone already in the base, phones in
mixed formats, some stored as numbers, dates as dates)."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

HEADERS = [
    "ФИО",
    "Телефон",
    "E-mail",
    "Организация",
    "Город",
    "Адрес",
    "Статус",
    "Источник",
    "Теги",
    "Ответственный",
    "Комментарий",
    "Дата обращения",
]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Тула", "Пермь", "Самара", "Омск"]
NAMES = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Елена", "Сергей", "Наталья"]
SURNAMES = ["Петров", "Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев"]


def existing_phones(path: Path, count: int, seed: int) -> list[str]:
    with sqlite3.connect(path) as db:
        phones = [
            row[0] for row in db.execute("SELECT e164 FROM client_phones WHERE e164 LIKE '+79%'")
        ]
    random.Random(seed).shuffle(phones)
    return phones[:count]


def write_xlsx(path: Path, rows: int, known: list[str], seed: int) -> None:
    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Клиенты")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, HEADERS)
    start = datetime(2024, 1, 1)
    for r in range(1, rows + 1):
        duplicate = r % 10 == 0 and known
        phone = known[r % len(known)] if duplicate else f"+7916{r:07d}"
        digits = phone[2:]
        shape = r % 4
        sheet.write_string(r, 0, f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {r}")
        if shape == 0:
            sheet.write_number(r, 1, int("7" + digits))  # a phone stored as a number
        elif shape == 1:
            sheet.write_string(r, 1, f"8 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}")
        else:
            sheet.write_string(r, 1, digits if shape == 2 else phone)
        sheet.write_string(r, 2, f"client{r}@example.ru")
        sheet.write_string(r, 3, f"ООО «Компания {r % 5000}»")
        sheet.write_string(r, 4, rng.choice(CITIES))
        sheet.write_string(r, 5, f"ул. Ленина, д. {r % 200}")
        sheet.write_string(r, 6, rng.choice(["Новый", "Тёплый", "VIP"]))
        sheet.write_string(r, 7, rng.choice(["Сайт", "Звонок", "Выставка"]))
        sheet.write_string(r, 8, rng.choice(["опт", "розница", "опт, vip"]))
        sheet.write_string(r, 9, "")
        sheet.write_string(r, 10, "Перезвонить после обеда" if r % 3 == 0 else "")
        sheet.write_datetime(r, 11, start + timedelta(days=r % 700), day)
    book.close()
