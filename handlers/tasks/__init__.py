"""Tasks: new tasks with dates as people say them, their buttons and reminders, /tasks."""
