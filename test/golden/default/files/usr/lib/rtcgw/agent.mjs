(built from gateway/ sources: not kept in the golden copy)
