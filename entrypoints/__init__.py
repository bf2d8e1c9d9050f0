"""The command line and local orchestration: `ior` and its subcommands, the demo, `ior process`,
the reports people read. Entry points use services only through their public app builders
(`services.<name>.app.build`, loaded by the runtime) and what `contracts` declares."""
