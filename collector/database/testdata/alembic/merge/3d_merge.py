"""merge"""
revision = '3d'
down_revision = ('2b', '2c')

def upgrade():
    pass
