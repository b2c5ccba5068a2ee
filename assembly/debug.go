package assembly
var debugLP = false
