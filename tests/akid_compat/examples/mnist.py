# Port of akid/examples/mnist/mnist.py (shawnLeeZX/akid at cf82277), kept as the original
# code. Lines changed, and why (everything else is the original's):
#   - MNISTFeedSource(...): num_train 50000 -> 2000, num_val 10000 -> 200 (the local copy
#     holds 4,000 training images), and `sha256=None` added: the files are the test's own copy
#     of MNIST (written from the shipped 5,000-digit subset), not the official ones.
#   - Kid(...): `max_steps=40` added. The original gives neither max_steps nor max_epoch,
#     which akid's own Kid refused ("At least one `max_steps` and `max_epoch` is needed.").
from akid import AKID_DATA_PATH
from akid import FeedSensor
from akid import Kid
from akid import MomentumKongFu
from akid import MNISTFeedSource

from akid.models.brains import LeNet

brain = LeNet(name="LeNet")
source = MNISTFeedSource(name="MNIST",
                         url='http://yann.lecun.com/exdb/mnist/',
                         work_dir=AKID_DATA_PATH + '/mnist',
                         center=True,
                         scale=True,
                         num_train=2000,
                         num_val=200,
                         sha256=None)

s = Kid(FeedSensor(name='data', source_in=source),
        brain,
        MomentumKongFu(),
        max_steps=40)
s.setup()

s.practice()
