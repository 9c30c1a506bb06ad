"""``python -m gradcli`` is the same program as ``gradcli``."""

from gradcli.launch import main

if __name__ == "__main__":
    main()
