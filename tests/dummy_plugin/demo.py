from .models import Thing


def load_demo(rng, out, ctx):
    Thing.objects.get_or_create(name="演示")
    out.append("dummy: 1 thing")
