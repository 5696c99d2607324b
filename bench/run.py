"""`make bench`: build (or reuse) the scale data set and print each figure against its target."""


def main() -> None:
    print("bench: not available yet")


if __name__ == "__main__":
    main()
