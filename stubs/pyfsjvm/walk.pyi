from .bridge import Stream

class WalkStream(Stream):
    ANY: int
    FILES: int
    DIRS: int
    COLLECT_BATCH: int

class WalkApi:
    @staticmethod
    def open(root: bytes, maxDepth: int, follow: bool, sort: bool, skipHidden: bool, fileType: int,
             glob: str | None, threads: int, maxBatch: int) -> Stream: ...
    @staticmethod
    def checkGlob(glob: str) -> None: ...
