"""Taking data out: clients, deals and tasks to .xlsx or .csv."""
