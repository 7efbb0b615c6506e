"""/settings: language, time zone, statuses, the pipeline, lost reasons, the summary."""
