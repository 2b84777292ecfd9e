package alloc

import (
	"testing"

	"github.com/gorseq/percpu/internal/race"
	"github.com/gorseq/percpu/internal/testmain"
)

// raceEnabled reports whether the race detector is built in.
const raceEnabled = race.Enabled

func TestMain(m *testing.M) { testmain.Run(m) }
