"""A Parquet file as pyarrow reads it: schema, row groups and every column, as JSON.

Non-finite floats are written as {"float": "nan" | "inf" | "-inf"} (JSON has no literal for them)."""

import json
import math
import sys

import pyarrow.parquet as pq


def plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


f = pq.ParquetFile(sys.argv[1])
table = f.read()
print(
    json.dumps(
        {
            "rows": table.num_rows,
            "row_groups": f.num_row_groups,
            "types": {field.name: str(field.type) for field in table.schema},
            "nullable": {field.name: field.nullable for field in table.schema},
            "columns": {name: [plain(v) for v in table.column(name).to_pylist()] for name in table.column_names},
        }
    )
)
