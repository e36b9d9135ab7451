# The sweep's claim is a keyset on (next_fire_at, ticket): the index carries both.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0004_paused_clock_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticketclock',
            name='clock_next_fire_idx',
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('next_fire_at__isnull', False)), fields=['next_fire_at', 'ticket'], name='clock_next_fire_idx'),
        ),
    ]
