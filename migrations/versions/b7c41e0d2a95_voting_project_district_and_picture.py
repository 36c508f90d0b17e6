"""voting: budget projects get a district and an optional picture with its alt text

Revision ID: b7c41e0d2a95
Revises: 37b3d41b2342
Create Date: 2026-12-05 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e0d2a95'
down_revision = '37b3d41b2342'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballot_option') as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('picture_name', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('picture_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('picture_alt', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ballot_option_district_id_district'), 'district',
                                    ['district_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_option_picture_name'), ['picture_name'])
        batch_op.create_check_constraint(
            'picture_has_alt_text',
            "picture_name IS NULL OR (picture_type IS NOT NULL AND picture_alt IS NOT NULL AND picture_alt <> '')")


def downgrade():
    with op.batch_alter_table('ballot_option') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ballot_option_picture_has_alt_text'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_ballot_option_picture_name'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ballot_option_district_id_district'), type_='foreignkey')
        batch_op.drop_column('picture_alt')
        batch_op.drop_column('picture_type')
        batch_op.drop_column('picture_name')
        batch_op.drop_column('district_id')
