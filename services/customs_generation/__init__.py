"""Customs generation: invoice lines to declared component lines, duties, fees and the broker
workbook (DOMAIN.md §3-§4). The calculation is a pure function over a batch; the service edge
reads the inputs and the reference data and writes the outputs."""
