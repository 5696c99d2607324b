def seed_winback_demo(ctx) -> None:
    pass
