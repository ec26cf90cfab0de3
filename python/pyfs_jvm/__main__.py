"""``python -m pyfs_jvm`` is the ``pyfs-jvm`` command."""

from .cli import main

raise SystemExit(main())
