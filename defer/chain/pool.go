package chain

// poolCap is the capacity of a P's deferpool ([32]*_defer in runtime.p).
const poolCap = 32

// A pool models a P's deferpool together with the global sched.deferpool.
// Records are identified by their IDs; a record keeps its ID when it is
// reused, so a trace shows the same record coming back from the pool.
type pool struct {
	local  []int // per-P pool, top at the end
	global []int // sched.deferpool, head at the end
	state  PoolState
	nextID int
}

// get is newdefer: take from the per-P pool, refilling it to half its
// capacity from the global pool when it is empty, else allocate.
// It returns the record's ID, how it was obtained and the modelled cost.
func (p *pool) get() (id int, how string, cost float64) {
	cost = Cost(EvNewDefer)
	how = "per-P pool"
	if len(p.local) == 0 && len(p.global) > 0 {
		for len(p.local) < poolCap/2 && len(p.global) > 0 {
			n := len(p.global)
			p.local = append(p.local, p.global[n-1])
			p.global = p.global[:n-1]
		}
		p.state.Refills++
		cost += CostRefill
		how = "per-P pool after a refill from the global pool"
	}
	if n := len(p.local); n > 0 {
		id = p.local[n-1]
		p.local = p.local[:n-1]
		p.state.Hits++
	} else {
		p.nextID++
		id = p.nextID
		p.state.Allocs++
		cost += CostAlloc
		how = "new allocation (pools empty)"
	}
	p.sync()
	return id, how, cost
}

// put is the heap branch of popDefer: when the per-P pool is full, move
// half of it to the global pool, then push the record.
func (p *pool) put(id int) (cost float64, spilled bool) {
	if len(p.local) == poolCap {
		var moved []int
		for len(p.local) > poolCap/2 {
			n := len(p.local)
			moved = append(moved, p.local[n-1])
			p.local = p.local[:n-1]
		}
		// The runtime links the moved records in the order it popped
		// them and puts that list in front of the global list.
		for i := len(moved) - 1; i >= 0; i-- {
			p.global = append(p.global, moved[i])
		}
		p.state.Spills++
		cost += CostSpill
		spilled = true
	}
	p.local = append(p.local, id)
	p.sync()
	return cost, spilled
}

// newID gives an ID to a stack record: it never enters a pool.
func (p *pool) newID() int {
	p.nextID++
	return p.nextID
}

func (p *pool) sync() {
	p.state.Local = len(p.local)
	p.state.Global = len(p.global)
}
