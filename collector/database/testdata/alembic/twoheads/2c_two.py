"""branch two"""
revision = '2c'
down_revision = '1a'

def upgrade():
    pass
