from tests.skills.proposals.conftest import approver, lena, private_media, sam

__all__ = ["approver", "lena", "private_media", "sam"]
