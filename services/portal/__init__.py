"""The portal: a read model kept from the pipeline's events, and the HTTP API people use."""
