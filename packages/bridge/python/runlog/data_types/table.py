"""`Table` as W&B's: columns and rows, `add_data`, `add_column`, `get_column`, `get_index`,
`iterrows`, `add_computed_columns`, or a pandas DataFrame via `dataframe=`."""


class Table:
    _log_type = "table"
    MAX_ROWS = 10000

    def __init__(self, columns=None, data=None, rows=None, dataframe=None, dtype=None, optional=True, allow_mixed_types=False, log_mode="IMMUTABLE"):
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.values.tolist()
        data = rows if data is None else data
        if data is not None and hasattr(data, "tolist") and not isinstance(data, list):
            data = data.tolist()  # a numpy array
        if columns is None:
            columns = [f"Column {i + 1}" for i in range(len(data[0]))] if data else []
        if len(set(columns)) != len(columns):
            raise ValueError(f"Table columns must be unique, got {list(columns)}")
        if log_mode not in ("IMMUTABLE", "MUTABLE", "INCREMENTAL"):
            raise ValueError(f"log_mode must be IMMUTABLE, MUTABLE or INCREMENTAL, got {log_mode!r}")
        self.columns = [str(c) for c in columns]
        self.log_mode = log_mode
        self.data = []
        for row in data or []:
            self.add_data(*row)

    def add_data(self, *data):
        if len(data) != len(self.columns):
            raise ValueError(f"This table expects {len(self.columns)} columns: {self.columns}, found {len(data)}")
        self.data.append(list(data))

    def add_row(self, *row):
        self.add_data(*row)

    def add_column(self, name, data, optional=False):
        if name in self.columns:
            raise ValueError(f"Column {name} already exists in table")
        data = data.tolist() if hasattr(data, "tolist") else list(data)
        if self.data and len(data) != len(self.data):
            raise ValueError(f"Expected length {len(self.data)}, found {len(data)}")
        if not self.data:
            self.data = [[] for _ in data]
        for row, value in zip(self.data, data):
            row.append(value)
        self.columns.append(str(name))

    def get_column(self, name, convert_to=None):
        if name not in self.columns:
            raise ValueError(f"Column {name} not found in table")
        index = self.columns.index(name)
        values = [row[index] for row in self.data]
        if convert_to == "numpy":
            import numpy as np

            return np.array(values)
        return values

    def get_index(self):
        return list(range(len(self.data)))

    def iterrows(self):
        for index, row in enumerate(self.data):
            yield index, list(row)

    def add_computed_columns(self, fn):
        """fn(index, row_dict) → {new column: value}, run over every row (W&B's signature)."""
        new = None
        computed = []
        for index, row in self.iterrows():
            values = fn(index, dict(zip(self.columns, row)))
            if new is None:
                new = list(values)
                clash = [c for c in new if c in self.columns]
                if clash:
                    raise ValueError(f"Computed columns {clash} already exist in the table")
            computed.append(values)
        for column in new or []:
            self.add_column(column, [values[column] for values in computed])

    def __len__(self):
        return len(self.data)

    def __eq__(self, other):
        return isinstance(other, Table) and self.columns == other.columns and self.data == other.data

    def _to_wire(self):
        return {"__runlog__": "table", "columns": self.columns, "data": self.data}

    def _to_json(self):
        return {"_type": "table", "columns": self.columns, "data": self.data, "ncols": len(self.columns), "nrows": len(self.data)}

    @classmethod
    def _from_json(cls, value):
        return cls(columns=value["columns"], data=value["data"])
