package app_test

import (
	"testing"

	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
