package chain

import (
	"fmt"
	"html"
	"io"
)

// WriteSVG draws the defer list over time, for slides: one column per
// event that changes or uses the list (left to right), the records on
// the list stacked in each column with the head on top (heap records red,
// stack records blue), open-coded steps as green bit rows, and the
// event's name under the column.
func WriteSVG(w io.Writer, events []Event) error {
	var cols []Event
	maxChain := 1
	for _, e := range events {
		switch e.Kind {
		case EvCall, EvReturn, EvNewDefer, EvDeferReturn, EvRecover:
			continue
		}
		cols = append(cols, e)
		maxChain = max(maxChain, len(e.Chain))
	}
	heap := map[int]bool{}
	for _, e := range events {
		if e.Record != 0 {
			heap[e.Record] = e.Heap
		}
	}
	const colW, boxH, top, label = 56, 22, 40, 140
	width := max(len(cols)*colW+40, 300)
	height := top + (maxChain+2)*boxH + label
	ew := &errWriter{w: w}
	ew.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" font-size="11">`+"\n", width, height)
	ew.printf(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	ew.printf(`<text x="10" y="20" font-size="14">the _defer list over time (head on top; red heap, blue stack, green open-coded bits)</text>` + "\n")
	for i, e := range cols {
		x := 20 + i*colW
		if e.Kind == EvOpenDefer || e.Kind == EvOpenExit || (e.Kind == EvRunDefer && e.Record == 0) {
			ew.printf(`<rect x="%d" y="%d" width="%d" height="%d" fill="#cfc" stroke="#393"/>`+"\n", x, top, colW-6, boxH-4)
			ew.printf(`<text x="%d" y="%d">%08b</text>`+"\n", x+2, top+13, e.BitsAfter)
		}
		for j, id := range e.Chain {
			fill, stroke := "#ccf", "#339"
			if heap[id] {
				fill, stroke = "#fcc", "#933"
			}
			y := top + (j+1)*boxH
			ew.printf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s"/>`+"\n", x, y, colW-6, boxH-4, fill, stroke)
			ew.printf(`<text x="%d" y="%d">#%d</text>`+"\n", x+4, y+13, id)
		}
		ly := top + (maxChain+2)*boxH
		ew.printf(`<text x="%d" y="%d" transform="rotate(60 %d %d)">%d %s</text>`+"\n", x+4, ly, x+4, ly, e.Seq, html.EscapeString(e.Kind.String()))
	}
	ew.printf("</svg>\n")
	if ew.err != nil {
		return fmt.Errorf("unable to write the SVG: %w", ew.err)
	}
	return nil
}
