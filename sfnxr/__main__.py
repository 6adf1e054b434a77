from sfnxr.cli import main

main()
