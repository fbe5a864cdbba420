package harness

import (
	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/observe/sqlobserve"
)

// OpenSQL is the default SQLOpener of suites.Run: --inspect-sql reads the
// receiver's database with package sqlobserve, the one place the database
// drivers are linked.
func OpenSQL(dsn, query, key string) (observe.Observer, error) {
	return sqlobserve.Open(dsn, query, key)
}
