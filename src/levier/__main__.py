from levier.cli import main

main()
