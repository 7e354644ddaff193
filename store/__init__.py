"""The shop's data: SQLAlchemy models, unit of work, retail actions, audit log and seeding."""
