from .bridge import Stream, Task

class TreeStream(Stream):
    DIR: int
    LINK: int
    DESCENDED: int
    LOOP: int
    HEAD: int
    ERROR: int
    def prune(self, path: bytes) -> None: ...

class PwalkApi:
    @staticmethod
    def openTree(root: bytes, follow: bool, skipSnapshots: bool, threads: int, maxBatch: int) -> TreeStream: ...
    @staticmethod
    def startReport(root: bytes, output: bytes, compress: str, level: int, format: int, header: bool,
                    skipSnapshots: bool, threads: int) -> ReportTask: ...

class ReportTask(Task):
    PWALK: int
    DEY: int
    def progress(self) -> list[int]: ...
