from mapping.cli import main

raise SystemExit(main())
