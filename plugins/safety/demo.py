def load_demo(rng, out, ctx):
    pass
