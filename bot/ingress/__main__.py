from bot.ingress.app import main

main()
