from .bridge import Stream

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
