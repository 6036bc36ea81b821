"""branch one"""
revision = '2b'
down_revision = '1a'

def upgrade():
    pass
