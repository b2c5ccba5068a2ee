package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is the NOTIFY channel every committed write signals on.
const changesChannel = "qbank_changes"

// Notify calls onChange whenever any process commits a write to this
// database, through LISTEN on a dedicated connection. After (re)connecting
// it calls onChange once more, because notifications sent while it was not
// listening are lost: the caller catches up by reading changes since its
// revision. It returns when ctx ends.
func (s *Store) Notify(ctx context.Context, onChange func()) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listen(ctx, onChange)
		if ctx.Err() != nil {
			return
		}
		s.log("listen for changes failed; reconnecting", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, onChange func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	onChange() // whatever committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		onChange()
	}
}
