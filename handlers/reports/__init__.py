"""The owner's view: /report with its charts and spreadsheet, /digest."""
