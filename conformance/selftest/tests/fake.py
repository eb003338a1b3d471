# fake.py -- stands for a test script in the checker's selftest; its
# "last run" is fake.log and fake.trs beside it.  A .py name, not .sh:
# make's .sh.log suffix rule (TEST_EXTENSIONS) would otherwise "rebuild"
# fake.log by running this file whenever it looks newer than the log.
