package suites

import (
	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/observe/sqlobserve"
)

// openSQL is the default framework.SQLOpener: --inspect-sql reads the
// receiver's database with package sqlobserve, the one place the database
// drivers are linked.
func openSQL(dsn, query, key string) (observe.Observer, error) {
	return sqlobserve.Open(dsn, query, key)
}
