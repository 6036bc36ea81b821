"""init"""
revision = '1a'
down_revision = None

def upgrade():
    pass
