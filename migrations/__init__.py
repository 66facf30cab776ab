"""The migrations of the app `models`, written by `tortoise makemigrations`: see the README.

Each module NNNN_name.py holds one Migration; the first, 0001_initial, creates every table.
A database records the migrations applied to it in its table `tortoise_migrations`.
"""
