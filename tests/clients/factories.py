import factory

from clients.models import Client, ClientTechnology, Contact
from tests.skills.factories import SkillFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n} LLC")
    status = Client.Status.ACTIVE
    industry = "Professional services"
    seats = 12


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class ClientTechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientTechnology

    client = factory.SubFactory(ClientFactory)
    skill = factory.SubFactory(SkillFactory)
    version = None
    quantity = 1
