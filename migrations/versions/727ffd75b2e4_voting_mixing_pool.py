"""voting: sealed votes wait in a mixing pool; participations keep no day

Revision ID: 727ffd75b2e4
Revises: 0746b08fd805
Create Date: 2026-12-05 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '727ffd75b2e4'
down_revision = '0746b08fd805'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vote_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_vote_pool_ballot_id_ballot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_pool'))
    )
    op.create_index(op.f('ix_vote_pool_ballot_id'), 'vote_pool', ['ballot_id'], unique=False)
    # Votes cast before the pool existed are already on the board.
    with op.batch_alter_table('ballot') as batch_op:
        batch_op.add_column(sa.Column('published_count', sa.Integer(), nullable=False, server_default='0'))
    op.execute('UPDATE ballot SET published_count = vote_count')
    with op.batch_alter_table('ballot') as batch_op:
        batch_op.alter_column('published_count', server_default=None)
        batch_op.create_check_constraint('published_within_cast', 'published_count BETWEEN 0 AND vote_count')
    with op.batch_alter_table('participation') as batch_op:
        batch_op.drop_column('voted_on')


def downgrade():
    with op.batch_alter_table('participation') as batch_op:
        batch_op.add_column(sa.Column('voted_on', sa.Date(), nullable=False, server_default='1970-01-01'))
    with op.batch_alter_table('ballot') as batch_op:
        batch_op.drop_constraint(op.f('ck_ballot_published_within_cast'), type_='check')
        batch_op.drop_column('published_count')
    op.drop_index(op.f('ix_vote_pool_ballot_id'), table_name='vote_pool')
    op.drop_table('vote_pool')
