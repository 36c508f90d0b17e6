"""Readers and writers for open election formats (Pabulib ``.pb``, PrefLib ``.soi``/``.soc``/``.toi``)."""
