#!/bin/sh
# fake.sh -- stands for a test script in the checker's selftest; its
# "last run" is fake.log and fake.trs beside it.
exit 0
