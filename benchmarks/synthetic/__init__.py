"""A seeded synthetic SAP batch for the pipeline benchmark: reference feeds, invoices, ZSDR002."""
