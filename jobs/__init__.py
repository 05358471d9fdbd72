"""Background jobs. Job bodies are plain functions taking a session and `now`; `python -m jobs`
runs them on a schedule in a process of its own, never inside the web workers."""
