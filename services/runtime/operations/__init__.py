"""Operations tools: provisioning the topology, dead-letter queues and their replay, the
embedded emulator and the event observer used by commands."""
