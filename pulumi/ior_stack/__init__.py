"""The ior Pulumi program as a package: `stack.build(config)` turns `contracts/topology.py` into
AWS resources; `__main__.py` calls it with the stack's configuration."""
