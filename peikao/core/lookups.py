"""``field__any=[...]``: membership in a long list as one array parameter on PostgreSQL (``= ANY(%s)``).

``__in`` with thousands of values makes thousands of placeholders that the driver and the planner
parse one by one; imports look up 5,000 keys a chunk. Elsewhere (SQLite) it is a plain ``IN``.
"""

from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=False) for value in self.rhs]
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
