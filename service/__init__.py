"""Running the API: settings, the database and its migrations, logs, metrics, errors, the CLI."""
