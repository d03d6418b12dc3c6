# boards/lm3s6965evb/driver.mk - the Stellaris Ethernet driver (ethernetif).
# Listed here once it compiles; the board's other files are found by wildcard.
DRIVER_SRC := boards/lm3s6965evb/ethernetif.c
