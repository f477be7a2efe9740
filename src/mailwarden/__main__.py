from mailwarden.frontends.cli import main

main()
