"""The training split: request templates with slots, rendered in many registers.

Every template is one way a customer might put a request; slots (`{order}`, `{item}`,
`{pay}`, …) are filled at random, a few phrases may be swapped for everyday synonyms,
a sentence of circumstance may be added (`SITUATIONS`; long messages more often carry
one or two), a minor second thing may be said alongside the request (`ASIDES`), the
request may be buried among sentences about nothing in particular, then a register is
applied: plain, polite, a short letter, a long email with preamble and signature,
colloquial, texting, chatty, a run-on ramble, non-native phrasing, angry, or hurried
with typos.

Four sources feed each category (`SOURCES`): the first short templates here
(`TEMPLATES`), and from `paraphrases.py` compositional frames that cross many verbs
with many objects and ways of asking (`FRAMES`), whole requests in wider vocabulary
(`MORE`) and contrasts between intents customers confuse (`CONTRASTS`). The held-out
split (`heldout.py`) and the development split (`development.py`) share none of this:
they are written separately so that they measure generalisation.

Labelling convention: a message that asks for something concrete carries that
request's category even when it is angry; `complaint` is dissatisfaction without a
concrete request; `other` covers greetings, bare answers (an email, an order number,
"yes") and anything the shop does not handle.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from brain.corpus.paraphrases import ASIDES, CONTRASTS, FILLER, FRAMES, KEY_SLOTS, MORE, PHRASES
from domain.dialogue import Category

SLOTS: dict[str, tuple[str, ...]] = {
    "item": (
        "laptop",
        "office chair",
        "t-shirt",
        "running shoes",
        "water bottle",
        "desk lamp",
        "wireless headphones",
        "coffee mug",
        "backpack",
        "rain jacket",
        "road bike",
        "tablet",
        "phone case",
        "mechanical keyboard",
        "coffee maker",
        "blender",
        "hiking boots",
        "sunglasses",
        "smart watch",
        "bluetooth speaker",
        "jeans",
        "summer dress",
        "tent",
        "skateboard",
        "vacuum cleaner",
        "e-reader",
        "action camera",
        "gaming mouse",
        "wall clock",
        "bookshelf",
        "tshirt",
        "shoes",
        "chair",
        "lamp",
        "headphones",
        "winter coat",
        "toaster",
        "printer",
        "cushion",
        "frying pan",
        "scarf",
        "handbag",
        "wallet",
        "board game",
        "bike helmet",
        "camping stove",
        "electric toothbrush",
        "hair dryer",
        "mattress",
        "router",
        "webcam",
        "guitar",
        "sofa",
        "pressure cooker",
        "rice cooker",
        "microwave",
        "sweater",
        "cardigan",
        "parka",
        "sandals",
        "socks",
        "pyjamas",
        "bed sheets",
        "towels",
        "mirror",
        "floor lamp",
        "smartphone",
        "charger",
        "power bank",
        "hard drive",
        "usb stick",
        "tripod",
        "camera lens",
        "paint set",
        "lego set",
        "doll",
        "toy car",
        "dog bed",
        "cat tree",
        "plant pot",
        "garden hose",
        "drill",
        "toolbox",
        "watch strap",
        "necklace",
        "earrings",
        "face cream",
        "shampoo",
        "protein powder",
        "dumbbells",
        "treadmill",
        "exercise bike",
        "tennis racket",
        "football",
        "swimsuit",
    ),
    "color": ("black", "white", "red", "blue", "green", "grey", "navy", "pink", "brown", "silver"),
    "size": ("S", "M", "L", "XL", "small", "medium", "large", "size 9", "size 10", "size 11"),
    "spec": ("15-inch", "13-inch", "i7", "32GB", "leather", "mesh", "LED", "1000ml", "over-ear"),
    # The options a shop's products vary in (the τ²-retail store's most common ones).
    "attr": (
        "size",
        "color",
        "colour",
        "model",
        "version",
        "option",
        "material",
        "capacity",
        "type",
        "storage",
        "screen size",
        "length",
    ),
    "pay": (
        "visa",
        "mastercard",
        "credit card",
        "debit card",
        "paypal",
        "gift card",
        "amex",
        "card ending 4242",
        "PayPal account",
        "other card",
    ),
    "addr": (
        "12 Oak Street, Springfield",
        "455 Market St Apt 3, Denver CO 80202",
        "9 Harbour Road, Boston",
        "77 Pine Ave, Austin TX 78701",
        "1200 Lake Shore Dr, Chicago",
        "3 Elm Court, Portland 97201",
        "210 W 14th St, New York 10011",
        "48 Maple Lane",
    ),
    "reason": (
        "I don't need it anymore",
        "I ordered it by mistake",
        "I found it cheaper elsewhere",
        "I changed my mind",
        "it was a duplicate order",
        "it's taking too long",
        "no longer needed",
        "ordered by mistake",
        "I ordered the wrong thing",
        "I bought it somewhere else",
    ),
    "rreason": (
        "it doesn't fit",
        "it arrived damaged",
        "it's not what I expected",
        "the color is off",
        "it stopped working",
        "it's the wrong size",
        "it's defective",
        "I don't like it",
        "it's too small",
        "it's too big",
        "the quality is poor",
        "it came broken",
    ),
    "days": ("3", "5", "7", "10", "14", "two", "three", "ten"),
    "date": ("Monday", "last Friday", "yesterday", "the 3rd", "March 12", "last week"),
    "thing": ("my iphone", "a mac", "windows 11", "my desk", "a standard outlet", "android"),
    "purpose": ("running", "working from home", "a kid", "travel", "gaming", "the office"),
    **PHRASES,
}

TEMPLATES: dict[Category, tuple[str, ...]] = {
    Category.ORDER_STATUS: (
        "where is my order {order}?",
        "has my order {order} shipped yet?",
        "can you tell me the status of order {order}",
        "I ordered a {item} last week and it still hasn't arrived",
        "when will my {item} be delivered?",
        "what's the tracking number for {order}?",
        "track my package please",
        "my package hasn't arrived yet, order {order}",
        "any update on my order?",
        "is my order {order} on its way?",
        "when does my {item} arrive",
        "I need the tracking info for my {item}",
        "it says processing for days, when will {order} ship?",
        "how long until my order gets here?",
        "can I get an ETA on order {order}",
        "the tracking for {order} hasn't updated in a week",
        "was my order delivered? I didn't get anything",
        "status of my {item} order please",
        "did you ship the {item} yet",
        "I'm waiting for my delivery, order {order}, where is it?",
        "where's my stuff",
        "my order still says pending, is it going out soon?",
        "can you check on order {order} for me?",
        "expected delivery date for {order}?",
        "has the {item} left the warehouse",
        "I haven't received a shipping confirmation for {order}",
        "how do I track my order",
        "which courier is delivering my {item}?",
        "it's been {days} days since I ordered, where is my package",
        "order {order} - still not here",
        "is {order} out for delivery today?",
        "could you look up where my {item} is",
        "I need to know when my order will arrive, it's a gift",
        "order tracking {order}",
        "package status?",
        "is there a delay on my order {order}?",
        "when is my order coming",
        "where is my {item}",
        "my {item} was supposed to arrive {date}, where is it",
        "the tracking link for {order} doesn't work, where is my parcel",
        "did my order {order} go out yet",
        "what's happening with my order",
        "when can I expect my {item}?",
        "has my parcel been dispatched?",
        "is my order on the way",
        "I still haven't received my order {order}",
        "what's the delivery status of {order}",
        "can you tell me when {order} will arrive",
        "tracking shows no movement for {order}",
        "is my package lost?",
        "my order says shipped but the tracking isn't updating",
        "did the courier pick up my order yet",
        "I'd like an update on my delivery",
        "how long will delivery take for my order {order}",
        "order {order} hasn't arrived, what's going on",
        "is my {item} going to arrive this week?",
        "the delivery date for my {item} has passed and nothing came",
        "could you find out where my parcel is",
        "it says delivered but I never got the {item}",
        "can you confirm my order was sent out",
        "no news about my order since I paid, has it been posted",
        "do you have a shipping update for {order}",
        "hey, quick question about my delivery - when's it coming?",
        "my order {order} was due {date} and I'm still waiting",
        "can you see if my package is stuck somewhere",
        "is there any way to find out where my {item} is right now",
        "I paid for next day delivery, why is my order not here",
        "it's showing in transit for ages, is it moving",
        "is my order shipping from a warehouse near me? when will it get to me",
        "still no sign of my order",
        "looking for an update on the shipping of my {item}",
        "I didn't get a dispatch email, has order {order} been sent?",
        "could you give me a delivery estimate for the {item}",
        "my tracking number doesn't work, where is my order",
        "the courier says they tried to deliver but I was home, where's my package",
        "was the {item} handed to the delivery company yet",
        "my parcel was supposed to come yesterday",
        "how many more days until my order gets delivered",
        "I got a shipping email but no tracking code",
        "part of my order arrived, where is the rest",
        "has anything happened with my order since I placed it",
        "my order is late, when will it be delivered",
    ),
    Category.CANCEL_ORDER: (
        "I want to cancel my order {order}",
        "please cancel order {order}, {reason}",
        "cancel {order}",
        "can I cancel the {item} I just ordered?",
        "I need to cancel an order I placed {date}",
        "how do I cancel my order?",
        "cancel my order please, {reason}",
        "I'd like to cancel {order} because {reason}",
        "please stop my order {order} before it ships",
        "don't send the {item}, I want to cancel",
        "I changed my mind about the {item}, cancel the order",
        "is it too late to cancel {order}?",
        "I placed an order by mistake, can you cancel it?",
        "cancel the whole order {order}",
        "I want my order {order} cancelled and my money back",
        "please cancel it, I ordered twice by accident",
        "can you cancel order {order}? {reason}",
        "I no longer want the {item}, please cancel before shipping",
        "cancellation request for order {order}",
        "I want to cancel, {reason}",
        "need to cancel {order} asap",
        "cancel everything on order {order}",
        "I'd like to cancel my purchase of the {item}",
        "please cancel my recent order, {reason}",
        "accidentally ordered the {item}, cancel please",
        "can my order still be cancelled? it's {order}",
        "cancel order {order} and refund me to my {pay}",
        "I don't want this order anymore, cancel it",
        "how can I cancel an order that hasn't shipped",
        "hi, I want to cancel order {order}",
        "cancel my {item} order",
        "I wish to cancel order {order}, {reason}",
        "please don't ship {order}, cancel it",
        "I want to cancel the {item}, {reason}",
        "cancel the order for the {item} please",
        "can you please cancel my order",
        "please stop order {order}, I don't want it",
        "I don't want the {item} anymore, please cancel",
        "I'd like to cancel before it ships",
        "can you stop the shipment and refund me, {reason}",
        "I need to stop my order from shipping, {reason}",
        "I'd like my order {order} canceled",
        "please cancel, I ordered the wrong {item}",
        "I regret buying the {item}, cancel it please",
        "can the order I placed {date} be cancelled?",
        "is it possible to cancel my purchase? {reason}",
        "I would like a cancelation of order {order}",
        "cancel the {item} order, I don't need it",
        "I ordered this twice, please cancel one of them",
        "please do not ship my order, I want a refund instead",
        "my order hasn't shipped yet and I don't want it anymore",
        "can you cancel my order and give me my money back",
        "I no longer need order {order}",
        "get rid of my order {order}, {reason}",
        "I don't want order {order} to be delivered, please cancel it",
        "I'm hoping to cancel the purchase I made {date}",
        "can we cancel the {item}? I'd rather not receive it",
        "I want to cancel my order before it gets shipped out",
        "please cancel order {order} immediately",
        "I'd like to cancel the order I just made, it was a mistake",
        "not going to need the {item} after all, can you cancel",
        "I'm cancelling my order {order}",
        "is it still possible to cancel? I ordered {date}",
        "I would like to stop this order, please refund me",
        "order {order} - cancel please",
        "please cancel my purchase, I bought the wrong {item}",
        "help me cancel my order",
        "I want to cancel and get a full refund",
        "cancel it please, it hasn't shipped",
        "can you make sure my order doesn't ship, I want to cancel",
        "I no longer want anything from order {order}",
        "drop my order please, I don't need it",
        "can I undo the order I placed?",
        "don't send order {order}, I don't want it anymore",
    ),
    Category.CHANGE_ITEMS: (
        "can I change the {item} in my order {order} to {color}?",
        "I ordered the wrong size, can you change it to {size} before it ships?",
        "please switch the {item} in order {order} to the {color} one",
        "I want to modify my order {order}, change the {item} to {size}",
        "can I swap the {item} on my pending order for a different {attr}?",
        "update my order: {size} instead of {size}",
        "I'd like to change the {attr} of the {item} I just ordered",
        "can you change an item in my order before it ships",
        "my order hasn't shipped yet, can I change the {item} to {color}",
        "I picked the wrong {attr} for the {item}, can you update my order",
        "change the {item} in {order} from {color} to {color}",
        "is it possible to edit my order {order}? I want {size} instead",
        "modify the items in my order please",
        "I need a different {attr} of the {item} in my order, it hasn't shipped",
        "can I upgrade the {item} on my order to the {spec} version",
        "please replace the {item} in my unshipped order with the {color} version",
        "I want to change what I ordered",
        "before you ship {order}, can I change the {attr} of the {item}?",
        "wrong {attr} selected on order {order}, please change it to {color}",
        "could you edit order {order} so the {item} is {size}",
        "change item options on my pending order",
        "I ordered the {item} in {color} but meant {color}, can you change it before shipping",
        "can I modify an order I just placed",
        "please update the {item} in {order} to the {spec} one",
        "I'd like a different {attr} for the {item} on my order, it's still pending",
        "can I get the {item} in {size} instead? my order hasn't shipped yet",
        "I want a different {attr} for the {item} I ordered today",
        "can you update my order to the {color} {item}",
        "I'd like to switch the {item} in my order to a {size}",
        "please amend my order, wrong {attr} on the {item}",
        "my order is still processing, can I change the {attr}?",
        "change my order to {size} please, it's not shipped",
        "I need to fix the {attr} on the {item} I just bought",
        "can you make the {item} in {order} a {size} instead",
        "is there time to change the {item} to {color} before it's sent",
        "I'd like a different size in my current order",
        "please change the size of the {item} on my open order to {size}",
        "can I change the color of the {item} in order {order}? it hasn't shipped",
        "I made a mistake choosing the {attr}, the order is still pending",
        "can the {item} I ordered be swapped for the {spec} version before shipping",
        "I want the {color} {item} instead of the one in my order",
        "could you update the {attr} of an item in my pending order",
        "can I still edit my order? I need a different {attr}",
        "I need to change an item on order {order}",
        "is it too late to change the {attr} on my order?",
        "I accidentally chose {size}, can I change it to {size}",
        "can I modify order {order} to a different {item} model",
        "please update my unshipped order, {size} not {size}",
        "I would like to change the item options on {order}",
        "replace the {item} in my pending order with a {color} one",
    ),
    Category.CHANGE_ADDRESS: (
        "I need to change the shipping address for order {order}",
        "please ship order {order} to {addr} instead",
        "I moved, can you update the delivery address on my order?",
        "wrong address on my order {order}, it should be {addr}",
        "can I change where my {item} is being delivered?",
        "update the address on order {order} to {addr}",
        "please deliver my order to my work address: {addr}",
        "I typed the wrong street on my order, can you fix it",
        "can you redirect my order {order} to {addr}",
        "change the delivery address for my pending order",
        "the zip code on order {order} is wrong, it should be {zip}",
        "send my {item} to {addr} please, not my old address",
        "I want my order shipped to a different address",
        "can I still change the shipping address? my order hasn't shipped",
        "fix the apartment number on my order {order}, it's apt 4B",
        "I put the wrong address on order {order}",
        "change shipping address of {order} to {addr}",
        "my order is going to my old place, please change it to {addr}",
        "can the {item} be delivered to {addr} instead",
        "update delivery address for order {order} please",
        "can you send order {order} to a different address?",
        "I gave the wrong address for my order, it's {addr}",
        "my order needs to go to {addr}, not the address I entered",
        "please correct the delivery address on {order}",
        "I won't be home, can you ship my order to {addr}",
        "change where order {order} is being shipped",
        "the house number on my order is wrong",
        "update the street on my pending order to {addr}",
        "can my parcel be delivered to my office at {addr} instead",
        "I need my order redirected to my new address",
        "can I change the address my order is going to",
        "I need order {order} delivered somewhere else",
        "please update the shipping address on my open order",
        "wrong street number on order {order}, please fix",
        "I moved, my order is going to the old place, can you change it",
        "send the order to {addr} instead please",
        "can I have the {item} shipped to my parents' house",
        "I'd like to change the delivery address of order {order} to {addr}",
        "my zip code is wrong on the order, it's {zip}",
        "there's a mistake in the address on my order",
        "can you ship my pending order to a new address",
        "the order is going to the wrong address",
        "is it possible to update the address for an order that hasn't shipped",
        "please change the destination of my order to {addr}",
        "deliver to {addr} instead of my home",
    ),
    Category.CHANGE_PAYMENT: (
        "I want to change the payment method for order {order}",
        "can I pay for order {order} with my {pay} instead?",
        "please charge my {pay} instead of my {pay}",
        "switch the payment on my order to {pay}",
        "I'd like to use a different card for order {order}",
        "can you update the payment method on my pending order",
        "my card expired, can I pay for {order} with {pay}",
        "use my gift card balance for order {order} please",
        "change payment from {pay} to {pay}",
        "I want to pay with paypal instead of card for my order",
        "can I change how I paid for my {item}?",
        "the card I used for {order} is cancelled, please bill my {pay}",
        "change the card on order {order}",
        "I'd rather pay with my {pay} for this order",
        "can you move the charge for {order} to my {pay}",
        "update billing on my order to {pay}",
        "I want to switch payment methods on order {order}",
        "please use {pay} to pay for my order instead",
        "I'd like to pay for {order} with a different card",
        "can I use my {pay} for the order instead of my {pay}",
        "my payment failed, can I use {pay} for {order}",
        "please take the payment for my order from my {pay}",
        "I want my {pay} charged for order {order}, not my {pay}",
        "change the payment method on my order please",
        "can I switch the order to be paid by {pay}",
        "bill my {pay} for the {item} order instead",
        "the wrong card was used for my order, please use {pay}",
        "how do I change the card for an order I placed",
        "I want to use a different payment method for order {order}",
        "could you charge another card for my order",
        "can I pay with {pay} rather than {pay}",
        "please switch my order to {pay}",
        "I'd like to change the payment on order {order} to my {pay}",
        "I don't want my {pay} charged, use my {pay} please",
        "is it possible to pay for my order with a gift card instead",
        "can I change the payment for an order that hasn't shipped",
        "my card got declined, can I use {pay} for order {order}",
        "please move the payment to my {pay}",
        "I need to update the card on my order",
        "can I pay the {item} order with my {pay}",
    ),
    Category.RETURN: (
        "I want to return the {item} from order {order}",
        "how do I return my {item}? {rreason}",
        "I'd like to send back the {item}, {rreason}",
        "can I return order {order} for a refund?",
        "return request for {order}",
        "the {item} {rreason}, I want to return it",
        "please start a return for my {item}",
        "I need to return everything in order {order}",
        "I want a refund for the {item}, {rreason}",
        "can I get my money back for the {item}? {rreason}",
        "I received the {item} but I don't want it anymore, can I return it",
        "how can I send this back",
        "return the {item} and refund my {pay}",
        "I want to return two items from {order}",
        "the {item} arrived broken, I want to return it for a refund",
        "please process a return for {order}",
        "I need a return label for my {item}",
        "I'd like a refund, the {item} is not as described",
        "I'd like to return order {order}",
        "return {order} please, {rreason}",
        "I got the {item} {date} and {rreason}, I want to send it back",
        "refund me for the {item}, {rreason}",
        "I want to return my order and get a refund to my {pay}",
        "can you refund the {item} from {order}, {rreason}",
        "start a return on order {order}",
        "returning the {item}, {rreason}",
        "I want to send the {item} back, {rreason}",
        "can I return the {item}? {rreason}",
        "the {item} I received {rreason}, I'd like a refund",
        "how do I send back an item from order {order}",
        "I'd like my money back for the {item}",
        "I want to return this, it's not for me",
        "please refund order {order}, {rreason}",
        "I received a damaged {item} and want to return it",
        "how can I return my order for a refund to my {pay}",
        "I need to send back the {item} I got {date}",
        "I'd like to return the {item} I was given as a gift",
        "can you give me a return label for order {order}",
        "I'd like to return something I bought",
        "how do returns work? I want to send back the {item}",
        "can I return my {item} and get a refund",
        "I got the {item} and I want to return it",
        "please help me return order {order}",
        "I'm not happy with the {item}, I'd like to return it",
        "I'd like to return an item that arrived {date}",
        "need to return the {item}, {rreason}",
        "can you refund me if I send the {item} back",
        "the {item} doesn't work, I want a refund",
        "I'd like to return all items in {order}",
        "how do I get a refund for something I received",
        "I want to send it back and get my money",
        "please arrange a return for the {item}",
        "can I return part of my order",
    ),
    Category.EXCHANGE: (
        "I want to exchange the {item} for {size}",
        "the {item} I received is too small, can I exchange it for {size}?",
        "exchange {order}: {item} in {color} instead",
        "I'd like to exchange my {item} for the {color} one",
        "got the {item} but it's the wrong size, can I trade it for {size}",
        "exchange request for order {order}",
        "can I exchange instead of returning?",
        "the {item} arrived in {color}, I want to exchange it for {color}",
        "I need a bigger size of the {item} I got",
        "could you exchange the {item} I received for the {spec} model",
        "replace the {item} I got with {size}",
        "how do exchanges work? I want a different size of my {item}",
        "I want to swap the {item} I received for a different {attr}",
        "the {item} was delivered but I want it in {color}, exchange please",
        "can I exchange the {item} from {order} for another {attr}",
        "I'd like to exchange an item from my delivered order",
        "the {item} fits badly, exchange it for {size} please",
        "exchange my {item} for the {spec} version",
        "I received {order}, can I exchange the {item} for a different {attr}?",
        "I want the same {item} but in {color}, mine was delivered {date}",
        "can I get a different size of the {item} I received",
        "I'd like to swap the {item} I got for {size}",
        "the {item} came in the wrong {attr}, can I exchange it",
        "I want to trade the {item} I received for the {color} version",
        "can you replace my delivered {item} with {size}",
        "I'd prefer an exchange instead of a refund for the {item}",
        "the {item} doesn't fit, I'd like the next size up",
        "can I exchange the {item} from my order for a different model",
        "I need to exchange the {item}, it arrived {date} in the wrong size",
        "exchange the {item} for {size} please",
        "can I exchange the {item} I got?",
        "I'd like to exchange an item for a different size",
        "can I swap the {item} for another {attr}",
        "I want to exchange my order for a different {attr}",
        "the {item} I got is too big, can I swap it",
        "can you send me the {item} in {size} and I'll send this one back",
        "I'd like to change the {attr} of the {item} I received",
        "I need to exchange a delivered item",
        "can I trade my {item} for the {color} one",
        "exchange the {item} please, {size} instead",
        "I received the wrong size, can I exchange it",
        "my {item} arrived but I need a different size",
    ),
    Category.REFUND_STATUS: (
        "where is my refund for {order}?",
        "I returned the {item} {days} days ago and haven't got my refund",
        "when will I get my refund?",
        "has my refund been processed?",
        "my refund for {order} still hasn't shown up on my {pay}",
        "status of my refund please",
        "you cancelled my order but I haven't received the money back",
        "how long until the refund hits my account",
        "I was promised a refund, where is it",
        "did you issue the refund for {order}?",
        "still waiting on my refund",
        "the refund for my {item} isn't on my statement yet",
        "can you check if my refund went through",
        "I sent the {item} back {date}, when do I get my money",
        "where's my money for the returned {item}",
        "refund status for order {order}",
        "it's been {days} days and no refund",
        "my refund hasn't arrived on my {pay}",
        "was my refund for {order} sent?",
        "I cancelled {order} {date}, where's the refund",
        "I haven't received my refund yet for {order}",
        "when will the refund for the returned {item} arrive",
        "my refund still isn't on my {pay}",
        "how long does it take to get my money back, I returned it {date}",
        "can you tell me if my refund was issued",
        "you said I'd be refunded but nothing has arrived",
        "any update on my refund",
        "where is the money for my cancelled order",
        "my return was received but no refund yet",
        "I'm still waiting for the refund to my {pay}",
        "have you processed my refund yet",
        "I still haven't got my money back",
        "when should I expect the refund for order {order}",
        "I returned my order, when will I get refunded",
        "can you check the status of my refund",
        "my refund is taking too long",
        "the refund hasn't come through yet",
        "is my refund on its way",
        "what happened to my refund for the {item}",
        "I was told I'd get a refund, when",
        "no refund yet for order {order}",
        "how long until I see my refund",
    ),
    Category.POLICY_QUESTION: (
        "what is your return policy?",
        "how many days do I have to return something?",
        "do you offer free returns?",
        "what's the refund policy?",
        "can I return an item after {days} days?",
        "how long do refunds usually take?",
        "do you ship internationally?",
        "how long does shipping usually take?",
        "can you cancel an order after it ships?",
        "do I need the original packaging to return something?",
        "is there a restocking fee?",
        "what's your exchange policy?",
        "do you refund to a gift card or the original card?",
        "can I return sale items?",
        "how much does shipping cost?",
        "what is your warranty policy",
        "can orders be changed after they're placed?",
        "what's the policy on damaged items?",
        "do refunds go back to the original payment method?",
        "what's the return window?",
        "how long is the return period",
        "can I exchange an item more than once?",
        "which orders can be cancelled?",
        "do you charge for returns?",
        "what are your shipping options?",
        "what's your policy on late deliveries?",
        "how long do I have to send back an item?",
        "what's your policy on returns?",
        "are returns free?",
        "how long does a refund take to process?",
        "can I get a refund if I change my mind?",
        "what is the time limit for exchanges?",
        "where do you ship to?",
        "how long do deliveries take?",
        "can I return opened items?",
        "what do you do if an item arrives broken?",
        "do you accept returns without a receipt?",
        "is return shipping free?",
        "how long are refunds to cards taking at the moment?",
        "can a delivered order be exchanged?",
        "what are your delivery times?",
        "who pays for return shipping?",
        "what is the return period for your products",
        "how long does it take to get a refund usually",
        "can I cancel an order after paying",
        "do you do exchanges",
        "is it free to return items",
        "how long is delivery usually",
        "can I return something I bought on sale",
        "what's the policy if something arrives damaged",
        "where does my refund go if I return something",
        "how many days do refunds take to reach my card",
        "can I change my order after it's placed",
        "do you ship overseas",
        "is there a fee for cancelling an order",
        "what is your policy on refunds",
        "how long do I have to exchange an item",
    ),
    Category.PRODUCT_QUESTION: (
        "is the {item} available in {color}?",
        "do you have the {item} in stock?",
        "what sizes does the {item} come in?",
        "does the {item} come with a warranty?",
        "what's the difference between the 13-inch and 15-inch laptop?",
        "is the office chair adjustable?",
        "how much does the {item} weigh?",
        "is the {item} waterproof?",
        "when will the {item} be back in stock?",
        "does the {item} run small?",
        "what material is the {item} made of?",
        "is this {item} compatible with {thing}?",
        "do you sell {item}s?",
        "how much is the {item}?",
        "can you recommend a {item} for {purpose}?",
        "what's the battery life of the headphones?",
        "is the t-shirt 100% cotton?",
        "does the {item} need assembly?",
        "what colors does the {item} come in",
        "is the {spec} {item} still available?",
        "do you have the {item} in {size}?",
        "what are the dimensions of the {item}",
        "which {item} would you recommend for {purpose}",
        "is the {item} good for {purpose}?",
        "is the {item} in stock in {color}?",
        "does the {item} come in {size}?",
        "what's the warranty on the {item}?",
        "can you tell me more about the {item}",
        "how big is the {item}?",
        "is the {item} suitable for {purpose}?",
        "what are the specs of the {spec} {item}",
        "will the {item} be restocked soon?",
        "how long does the battery last on the {item}?",
        "is the {item} machine washable?",
        "what's the {item} made of?",
        "does the {item} work with {thing}?",
        "is the {item} any good for {purpose}",
        "does the {item} come in other colors",
        "can you tell me the size of the {item}",
        "how long is the warranty on the {item}",
        "is the {item} in stock right now",
        "what's the price of the {item}",
        "is the {item} heavy",
        "are there different models of the {item}",
        "which size {item} should I get",
        "when do you get more {item}s in",
        "does the {item} have a {spec} option",
        "is the {item} easy to clean",
    ),
    Category.ACCOUNT_ADDRESS: (
        "I moved, please update the address on my account",
        "change my default shipping address to {addr}",
        "can you update my profile address",
        "my address on file is wrong, it should be {addr}",
        "update my account's address for future orders",
        "I want to change my home address in my account",
        "please update my saved address to {addr}",
        "new address for my account: {addr}",
        "how do I change the address on my profile?",
        "set {addr} as my default address",
        "my account still has my old address, please change it to {addr}",
        "update the address in my profile to {addr}",
        "change the address saved in my account",
        "please change my account address, I moved to {addr}",
        "I need to update my default address for all future orders",
        "can you edit the address on my customer account",
        "I have a new address, please update my account",
        "change the address on my profile to {addr}",
        "my saved address is old, can you update it to {addr}",
        "please update my account details with my new address",
        "I'd like to change the default address for future deliveries",
        "can you change my home address on file",
        "update my profile, I moved to {addr}",
        "the address in my account is wrong",
        "please change the address on my account",
        "I need to update my address for future orders",
        "can you update the address you have on file for me",
        "change my saved shipping address to {addr}",
        "I moved, update my profile please",
        "my account has the wrong address",
        "please set my default address to {addr}",
        "I'd like to update the address in my account settings",
        "update my account with my new address {addr}",
        "how do I change my default shipping address",
    ),
    Category.TALK_TO_HUMAN: (
        "I want to talk to a human",
        "can I speak to a real person",
        "get me a representative",
        "agent please",
        "I don't want to talk to a bot",
        "connect me with customer service",
        "let me talk to someone",
        "transfer me to a live agent",
        "is there a person I can talk to?",
        "human please",
        "I need to speak with a manager",
        "can someone from your team call me",
        "stop, I want a real human",
        "operator",
        "put me through to your support staff",
        "I'd like to chat with a human agent",
        "real person please",
        "speak to a representative",
        "can I get a human on this",
        "are there any humans working there? I want to talk to one",
        "I prefer to talk to a person, not a chatbot",
        "escalate this to a human please",
        "can I talk to someone from support",
        "please connect me to an agent",
        "I want to speak to customer support staff",
        "is there a real person I can speak with",
        "I need a person, not a bot",
        "can a member of your team contact me",
        "transfer me to a human please",
        "I'd like to talk to a supervisor",
        "can I call someone",
        "let me speak to a real agent",
        "I'd like to speak to someone",
        "can I talk to an actual person",
        "please get a human",
        "can I speak with customer service",
        "I want to talk to a person about this",
        "is there anyone I can talk to",
        "can you put me through to someone",
        "I need human help",
        "talk to a person",
        "is a real person available",
    ),
    Category.COMPLAINT: (
        "this is the worst service I've ever had",
        "I'm very disappointed with my purchase",
        "your delivery driver was rude",
        "the quality of the {item} is terrible",
        "I've been waiting forever and nobody helps me",
        "I want to file a complaint",
        "unacceptable, my {item} arrived damaged and this is the second time",
        "your website is awful, I couldn't check out",
        "I was charged twice and I'm furious",
        "I'm never shopping here again",
        "the packaging was a mess and the {item} was scratched, very unhappy",
        "your customer service is useless",
        "I've emailed three times and no one answers",
        "the {item} broke after one week, cheap junk",
        "I'm really upset about how my order was handled",
        "this company is a joke",
        "I expected better from you",
        "why is nobody responding to me",
        "I want compensation for the delay",
        "I'm extremely unhappy with your service",
        "the courier left my {item} in the rain",
        "terrible experience from start to finish",
        "you people keep messing up my orders",
        "I am very dissatisfied",
        "the {item} smells weird and looks used, disgusting",
        "shame on you for treating customers like this",
        "I'm so disappointed with how I've been treated",
        "this is terrible customer service",
        "your company has let me down",
        "I'm unhappy with the quality of what I received",
        "nobody answers my emails, this is awful",
        "the delivery was a disaster and no one cares",
        "I've had a terrible experience with your shop",
        "I want to make a formal complaint",
        "your staff were rude to me",
        "I've had nothing but problems with your company",
        "the {item} was poorly made and I'm disappointed",
        "I'm angry about how long this is taking",
        "I'm really not happy with your service",
        "this is unacceptable",
        "I'm disgusted with how this was handled",
        "you have the worst customer service",
        "I'm very upset",
        "my experience with your company has been awful",
        "I want to complain about the delivery driver",
        "I'm fed up with your company",
        "this shop is terrible",
        "I'm not satisfied at all",
        "how can a company be this bad",
        "the service I got was appalling",
    ),
    Category.OTHER: (
        "hi",
        "hello there",
        "thanks!",
        "thank you so much",
        "ok",
        "yes",
        "no",
        "sure",
        "yes please",
        "go ahead",
        "nope",
        "my email is {email}",
        "it's {email}",
        "{email}",
        "I'm {name}, zip {zip}",
        "{name}, {zip}",
        "my name is {name} and my zip is {zip}",
        "my order number is {order}",
        "{order}",
        "it's order {order}",
        "good morning",
        "are you a bot?",
        "what are your opening hours?",
        "how do I reset my password?",
        "do you have a discount code?",
        "I want to unsubscribe from your emails",
        "can I apply for a job at your company",
        "asdfgh",
        "test",
        "bye",
        "never mind",
        "that's all, thanks",
        "great, thanks",
        "who am I talking to?",
        "can I get an invoice for my purchase",
        "I can't log in to my account",
        "do you have a physical store?",
        "are you hiring?",
        "I'd like to partner with your company",
        "what's your phone number",
        "ok cool",
        "yep",
        "no thanks",
        "perfect",
        "hmm",
        "sounds good",
        "it was ordered by mistake",
        "I don't need it anymore",
        "use my {pay}",
        "to my {pay} please",
        "hello",
        "hi there",
        "thank you",
        "okay thanks",
        "my email address is {email}",
        "email is {email}",
        "I'm {name}",
        "name is {name}, zip code {zip}",
        "{name}",
        "order number {order}",
        "yes, that's correct",
        "no, that's all",
        "can you help me",
        "I have a question",
        "what's your email address",
        "do you have a newsletter",
        "how do I change my password",
        "is there a mobile app",
        "I love your shop",
        "have a nice day",
        "hiya",
        "good afternoon",
        "thanks, bye",
        "ok got it",
        "alright thanks",
        "I'm {name}, my email is {email}",
        "here's my email: {email}",
        "the order is {order}",
        "order {order}",
        "yes that's it",
        "no that's fine",
        "are you a real person?",
        "do you have a referral program",
        "can I get a receipt",
        "I need help",
        "what's up",
    ),
}

# Sentences customers add around a request: why, when, what happened. Used before or after it.
SITUATIONS: dict[Category, tuple[str, ...]] = {
    Category.ORDER_STATUS: (
        "I ordered it {days} days ago.",
        "It's a birthday present so I need it soon.",
        "The tracking page hasn't changed since {date}.",
        "I'm going away next week.",
        "The estimated delivery was {date}.",
        "I paid for express shipping.",
        "Nothing has been delivered so far.",
        "The carrier website shows no updates.",
        "I've been checking my mailbox every day.",
        "It was meant to be here by now.",
        "It's meant to be a surprise for my mum.",
        "I took the day off work to wait for it.",
        "The order confirmation came through straight away.",
        "I've checked with the neighbours and the post room.",
        "My other orders from you usually come in two days.",
        "The tracking link in the email goes to an error page.",
        "I need it for a trip on Saturday.",
        "The courier's app just says in transit.",
    ),
    Category.CANCEL_ORDER: (
        "I only placed it an hour ago.",
        "It hasn't shipped yet.",
        "{reason}.",
        "I found the same {item} cheaper in a local store.",
        "My plans changed.",
        "I clicked order twice.",
        "I don't need it now.",
        "It was an impulse buy.",
        "My partner already bought one.",
        "I picked the wrong product.",
        "I bought it late at night and regret it.",
        "The same thing is on sale down the road.",
        "My budget is tighter than I thought this month.",
        "I measured again and it won't fit in the space.",
        "Someone already gave me one as a present.",
        "My child ordered it on my phone.",
        "I only clicked buy ten minutes ago.",
        "The delivery date is too late for what I needed it for.",
    ),
    Category.CHANGE_ITEMS: (
        "It hasn't shipped yet.",
        "I only ordered it this morning.",
        "I checked the size chart again.",
        "I picked the wrong option by mistake.",
        "The {color} one matches my other stuff better.",
        "My order is still pending.",
        "I was ordering on my phone and tapped the wrong option.",
        "The size guide says I need the next one up.",
        "My partner pointed out the other colour goes better with our sofa.",
        "I only noticed the mistake in the confirmation email.",
        "The bigger pack works out cheaper.",
    ),
    Category.CHANGE_ADDRESS: (
        "I'm moving this weekend.",
        "I'll be staying with family for a while.",
        "I made a typo at checkout.",
        "It hasn't shipped yet.",
        "Nobody will be home at the old address.",
        "I entered my old address by accident.",
        "The new tenants won't pass it on.",
        "I'll be working from the office all week.",
        "The checkout picked up my old address automatically.",
        "My parents will be in to sign for it.",
        "I'm away on a work trip until the 20th.",
        "The flat number got left off.",
    ),
    Category.CHANGE_PAYMENT: (
        "My card was stolen.",
        "My bank blocked the card.",
        "I have a gift card balance I'd like to use.",
        "The card on the order expires this month.",
        "I'd rather not use my credit card.",
        "The order hasn't shipped yet.",
        "My bank flagged the payment as suspicious.",
        "The card I used has been replaced by the bank.",
        "My employer is paying me back, so it needs to go on the work card.",
        "I got store credit for my birthday.",
        "I'd rather keep my credit card for emergencies.",
    ),
    Category.RETURN: (
        "{rreason}.",
        "It arrived {date}.",
        "I've only tried it on once.",
        "It's still in the box.",
        "The {item} isn't what the pictures showed.",
        "It was delivered damaged.",
        "I have the original packaging.",
        "It doesn't work properly.",
        "I tried it on at home and it just isn't right.",
        "It's been sitting in the box since it came.",
        "The tags are still on.",
        "I've kept all the packaging.",
        "It was a present and I already have one.",
        "It stopped working after a few days.",
        "It looks cheaper in person than in the photos.",
    ),
    Category.EXCHANGE: (
        "It arrived {date}.",
        "The fit is off.",
        "I love it, just not in this {attr}.",
        "It's still unworn with tags.",
        "The {color} one would suit me better.",
        "It's too tight.",
        "I still love the style.",
        "My feet are between sizes.",
        "The other colour is what I meant to pick.",
        "I've only tried it on indoors.",
        "It's for my son and he's grown.",
    ),
    Category.REFUND_STATUS: (
        "I returned it {days} days ago.",
        "You confirmed the return was received.",
        "My bank statement shows nothing.",
        "It's been over a week.",
        "The cancellation email said I'd be refunded.",
        "I need the money back for rent.",
        "I've got the proof of postage.",
        "Your email said it would take three to five working days.",
        "The tracking shows it was delivered back to you.",
        "I've checked my bank app every day.",
        "The courier picked it up from my door.",
        "The cancellation confirmation came the same day.",
    ),
    Category.POLICY_QUESTION: (
        "I'm thinking of buying a {item}.",
        "Just want to know before I order.",
        "I couldn't find it in your FAQ.",
        "Asking for a friend.",
        "I'm planning a big purchase.",
        "It's for a gift.",
        "I'm comparing a few shops before I buy.",
        "I'm buying a present and want to be safe.",
        "I've been caught out by other shops before.",
        "I live outside the UK.",
        "It's quite an expensive purchase.",
    ),
    Category.PRODUCT_QUESTION: (
        "I'm thinking of buying one.",
        "It's for my son.",
        "I couldn't find it in the description.",
        "I need it for {purpose}.",
        "The listing doesn't say.",
        "I want to order today.",
        "I've read the description twice.",
        "I want to get it right first time.",
        "It's for a small flat.",
        "My old one broke and I want something sturdier.",
        "The photos don't show the back.",
    ),
    Category.ACCOUNT_ADDRESS: (
        "I moved last month.",
        "I have a new apartment.",
        "This is for all future orders.",
        "Not for a specific order.",
        "My old address is still showing.",
        "We relocated to a new city.",
        "Nothing is on order right now.",
        "I'm about to place a few orders.",
        "The old address is from when I was a student.",
        "Every time I check out it fills in the old one.",
        "I've already updated it everywhere else.",
    ),
    Category.TALK_TO_HUMAN: (
        "This is complicated.",
        "The bot isn't understanding me.",
        "I've already explained twice.",
        "It's urgent.",
        "I'd rather explain it to someone.",
        "Automated answers don't help me.",
        "I've been going round in circles.",
        "It's a bit complicated to explain by chat.",
        "It involves several orders.",
        "I'd rather hear a voice.",
    ),
    Category.COMPLAINT: (
        "This is the third time this has happened.",
        "I've been a loyal customer for years.",
        "Nobody has replied to my emails.",
        "I'm extremely frustrated.",
        "I'll be leaving a bad review.",
        "I expected much better.",
        "I've told all my friends.",
        "I used to love this shop.",
        "It's happened more than once now.",
        "Nobody seems to care.",
        "I'm not even asking for anything back.",
    ),
    Category.OTHER: (),
}

_CONTEXT = (
    " my email is {email}.",
    " my name is {name}.",
    " email: {email}",
    " it's for {name}, zip {zip}",
)

Register = Callable[[str, random.Random], str]


def _plain(text: str, rng: random.Random) -> str:
    return text[0].upper() + text[1:] if rng.random() < 0.6 else text


def _polite(text: str, rng: random.Random) -> str:
    opener = rng.choice(("Hello, ", "Hi, ", "Good morning, ", "Hi there! ", "Dear support, "))
    closer = rng.choice((" Thank you!", " Thanks.", " Thanks in advance.", " Best regards.", ""))
    return opener + text + closer


_LETTER_OPEN = (
    "Hello team,",
    "Hi,",
    "Dear Sir or Madam,",
    "Good day,",
    "Hey there,",
    "Hello Trustdesk shop,",
)
_LETTER_BEFORE = (
    "",
    "",
    "I hope you're doing well. ",
    "I'm contacting you about an order. ",
    "Quick question for you. ",
    "Thanks for getting back to me. ",
    "I tried your help page first. ",
    "Writing from my partner's account. ",
)
_LETTER_AFTER = (
    "",
    "Thanks for your time.",
    "Hope to hear back soon.",
    "Thank you in advance for your assistance.",
    "Have a nice day.",
    "Let me know if you need anything else from me.",
)
_LETTER_CLOSE = ("Sincerely,", "Warm regards,", "Thank you,", "All the best,", "--")


def _letter(text: str, rng: random.Random) -> str:
    body = rng.choice(_LETTER_BEFORE) + text[0].upper() + text[1:]
    if body[-1] not in ".?!":
        body += "."
    lines = [rng.choice(_LETTER_OPEN), "", body]
    after = rng.choice(_LETTER_AFTER)
    if after:
        lines.append(after)
    lines += ["", rng.choice(_LETTER_CLOSE), f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"]
    return "\n".join(lines)


_CHATTY_OPEN = (
    "so ",
    "hey quick one - ",
    "hi again, ",
    "ugh ok ",
    "not sure if this is the right place but ",
    "morning! ",
    "question: ",
    "me again, ",
)
_CHATTY_CLOSE = ("", " cheers", " ty", " thanks a bunch", " :)", " x")


def _chatty(text: str, rng: random.Random) -> str:
    text = text[0].lower() + text[1:]
    return rng.choice(_CHATTY_OPEN) + text.rstrip(".") + rng.choice(_CHATTY_CLOSE)


_SLANG = (
    (r"\byou\b", "u"),
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    (r"\bare\b", "r"),
    (r"\bwant to\b", "wanna"),
    (r"\bgoing to\b", "gonna"),
    (r"\bI'm\b", "im"),
    (r"\bdon't\b", "dont"),
    (r"\bwhat's\b", "whats"),
    (r"\bbecause\b", "cause"),
)


def _casual(text: str, rng: random.Random) -> str:
    text = text.lower().rstrip("?.!")
    for pattern, short in _SLANG:
        if rng.random() < 0.7:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    opener = rng.choice(("", "", "hey ", "yo ", "hiya ", "ok so "))
    closer = rng.choice(("", "", " thx", " pls", " asap", " lol", "??"))
    return opener + text + closer


def _angry(text: str, rng: random.Random) -> str:
    text = text.rstrip("?.!")
    if rng.random() < 0.35:
        text = text.upper()
    closer = rng.choice(
        (
            "!!!",
            "!! This is ridiculous.",
            ". Seriously?!",
            "!!! I'm so fed up.",
            ". Unbelievable.",
            " NOW!",
            ". I'm losing my patience.",
            "!!",
        )
    )
    opener = rng.choice(("", "", "Hello?? ", "Seriously, ", "For the third time, "))
    return opener + text + closer


_NEIGHBOURS = {
    "a": "qs",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "n": "bm",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "l": "k",
    "d": "sf",
    "c": "xv",
    "m": "n",
    "u": "yi",
    "h": "gj",
    "y": "tu",
}


def _typo_word(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # swap two letters
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 1:  # drop one
        return word[:i] + word[i + 1 :]
    if kind == 2:  # double one
        return word[:i] + word[i] + word[i:]
    near = _NEIGHBOURS.get(word[i].lower())
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word


def _hurried(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    words = [_typo_word(w, rng) if rng.random() < 0.18 else w for w in words]
    text = " ".join(words)
    return text.lower().rstrip("?.!") if rng.random() < 0.5 else text


_EMAIL_OPEN = (
    "Hi there,",
    "Hello,",
    "Dear Customer Service,",
    "Good evening,",
    "Greetings,",
    "Hey team,",
    "Dear Trustdesk team,",
    "Hi support,",
)
_EMAIL_CLOSE = (
    "Thanks,",
    "Many thanks,",
    "Best wishes,",
    "Kind regards,",
    "Regards,",
    "Thanks again,",
    "Yours faithfully,",
)
_EMAIL_FOOTER = (
    "",
    "",
    "Sent from my iPhone",
    "Sent from Outlook for Android",
    "Mob: 07700 900{zip}",
    "Customer since 2019",
    "Please consider the environment before printing this email.",
)


def _long_email(text: str, rng: random.Random) -> str:
    """A long email: greeting, a preamble about nothing, the request, a sign-off, a signature."""
    body = text[0].upper() + text[1:]
    if body[-1] not in ".?!":
        body += "."
    before = rng.sample(FILLER, rng.randrange(1, 3))
    after = rng.sample(FILLER, rng.randrange(0, 2))
    paragraphs = [" ".join(before), body] if rng.random() < 0.5 else [" ".join([*before, body])]
    if after:
        paragraphs.append(" ".join(after))
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    lines = [
        rng.choice(_EMAIL_OPEN),
        "",
        "\n\n".join(paragraphs),
        "",
        rng.choice(_EMAIL_CLOSE),
        name,
    ]
    footer = fill(rng.choice(_EMAIL_FOOTER), rng)
    if footer:
        lines += ["", footer]
    return "\n".join(lines)


# Texting shorthand, applied word by word (each with a chance, so both forms are seen).
_TEXTING = (
    (r"\byou\b", "u"),
    (r"\byour\b", "ur"),
    (r"\byou're\b", "ur"),
    (r"\bplease\b", "plz"),
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    (r"\bthank you\b", "ty"),
    (r"\bbecause\b", "bc"),
    (r"\bbecause\b", "cuz"),
    (r"\bbefore\b", "b4"),
    (r"\bare\b", "r"),
    (r"\bokay\b", "k"),
    (r"\btomorrow\b", "tmrw"),
    (r"\btoday\b", "2day"),
    (r"\bright now\b", "rn"),
    (r"\bto be honest\b", "tbh"),
    (r"\bI don't know\b", "idk"),
    (r"\bpackage\b", "pkg"),
    (r"\border\b", "ordr"),
    (r"\bmessage\b", "msg"),
    (r"\bwith\b", "w/"),
    (r"\band\b", "n"),
    (r"\bI'm\b", "im"),
    (r"\bdon't\b", "dont"),
    (r"\bcan't\b", "cant"),
    (r"\bdidn't\b", "didnt"),
    (r"\bhasn't\b", "hasnt"),
    (r"\bwant to\b", "wanna"),
    (r"\bgoing to\b", "gonna"),
    (r"\bwhat's\b", "whats"),
    (r"\bwhere's\b", "wheres"),
    (r"\bit's\b", "its"),
)


def _texting(text: str, rng: random.Random) -> str:
    """A text message: shorthand, no capitals, little punctuation, a slip or two."""
    text = text.replace("\n", " ")
    for pattern, short in _TEXTING:
        if rng.random() < 0.45:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    text = text.lower()
    if rng.random() < 0.7:
        text = re.sub(r"[.,;:](?=\s|$)", "", text)
    words = [_typo_word(w, rng) if rng.random() < 0.08 else w for w in text.split(" ")]
    closer = rng.choice(("", "", "", " ??", " thx", " pls", " :(", " asap", " lol", " x"))
    return " ".join(words).rstrip("?!. ") + closer


_RAMBLE_OPEN = (
    "ok so basically",
    "so I was just sitting here and",
    "ok right so here's the thing",
    "hi hi so",
    "ok this is a bit of a weird one but",
    "so my flatmate said I should get in touch and",
    "I've been meaning to write for a couple of days but",
    "hey so I don't normally do this but",
    "so yeah um",
    "not sure how this works but",
)
_RAMBLE_CLOSE = (
    "anyway that's it really",
    "sorry for rambling",
    "thanks so much I really appreciate it",
    "let me know whatever",
    "anyway yeah",
    "if that all adds up",
    "anyway thanks in advance",
    "no rush but soon would be great",
)


def _run_on(text: str, rng: random.Random) -> str:
    """One long sentence with chatter around the request and hardly any punctuation."""
    text = text.replace("\n", " ")
    body = re.sub(r"[.!?]+\s+", rng.choice((" and ", ", ", " so ")), text.rstrip(".!? "))
    if not body:
        return text
    parts = [rng.choice(_RAMBLE_OPEN), body[0].lower() + body[1:]]
    if rng.random() < 0.5:
        parts.append(rng.choice(FILLER).rstrip(".").lower())
    parts.append(rng.choice(_RAMBLE_CLOSE))
    return ", ".join(parts) if rng.random() < 0.5 else " ".join(parts)


_LEARNER = (
    (r"\bI want to\b", "I am wanting to"),
    (r"\bI'd like to\b", "I would like that I"),
    (r"\bI need to\b", "I am needing to"),
    (r"\bcan you\b", "can you please to"),
    (r"\bhasn't arrived\b", "is not reaching"),
    (r"\bhaven't received\b", "did not receive till now"),
    (r"\bmy order\b", "the my order"),
    (r"\bplease\b", "kindly"),
    (r"\bI'm\b", "I am"),
    (r"\bdon't\b", "do not"),
    (r"\byet\b", "till now"),
    (r"\bwhere is\b", "where is it"),
)
_LEARNER_OPEN = ("Respected team, ", "Dear sir, ", "Hello sir, ", "Dear madam, ", "Good day. ", "")
_LEARNER_CLOSE = (
    " Please do the needful.",
    " Kindly revert.",
    " Waiting for your kind reply.",
    " Thanking you.",
    " Please reply soon.",
    "",
)


def _non_native(text: str, rng: random.Random) -> str:
    """Phrasing of a customer writing in a second language."""
    for pattern, phrase in _LEARNER:
        if rng.random() < 0.5:
            text = re.sub(pattern, phrase, text, count=1, flags=re.IGNORECASE)
    if text[-1] not in ".?!":
        text += "."
    return rng.choice(_LEARNER_OPEN) + text[0].upper() + text[1:] + rng.choice(_LEARNER_CLOSE)


REGISTERS: tuple[tuple[Register, float], ...] = (
    (_plain, 0.18),
    (_polite, 0.07),
    (_letter, 0.07),
    (_long_email, 0.12),
    (_casual, 0.08),
    (_texting, 0.13),
    (_chatty, 0.06),
    (_run_on, 0.1),
    (_non_native, 0.06),
    (_angry, 0.06),
    (_hurried, 0.07),
)

_FIRST = ("Ada", "Ben", "Chloe", "Diego", "Emma", "Farah", "George", "Hana", "Ivan", "Julia")
_LAST = ("Lovelace", "Okafor", "Nguyen", "Alvarez", "Schulz", "Haddad", "Park", "Sato", "Petrov")


def _order_id(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**7):07d}"
    return rng.choice((f"#W{digits}", f"#W{digits}", f"W{digits}", f"#w{digits}", f"#W{digits}"))


_SLOT = re.compile(r"\{(\w+)\}")


def fill_keyed(template: str, rng: random.Random) -> tuple[str, str | None]:
    """The template with every slot filled (slots may hold slots), and which key phrase
    (`KEY_SLOTS`) it used, as `slot=index`, if any."""
    key: str | None = None

    def value(match: re.Match[str]) -> str:
        nonlocal key
        slot = match.group(1)
        if slot == "order":
            return _order_id(rng)
        if slot == "email":
            first, last = rng.choice(_FIRST).lower(), rng.choice(_LAST).lower()
            return rng.choice(
                (f"{first}.{last}@example.com", f"{first}{rng.randrange(99)}@mail.com")
            )
        if slot == "name":
            return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if slot == "zip":
            return f"{rng.randrange(1000, 99999):05d}"
        options = SLOTS[slot]
        index = rng.randrange(len(options))
        if slot in KEY_SLOTS and key is None:
            key = f"{slot}={index:02d}"
        return options[index]

    for _ in range(4):  # phrases nest at most a few levels deep
        if not _SLOT.search(template):
            break
        template = _SLOT.sub(value, template)
    return template, key


def fill(template: str, rng: random.Random) -> str:
    """The template with every slot filled from `SLOTS` or a generated value."""
    return fill_keyed(template, rng)[0]


# Everyday synonyms, so the model meets more than one word for the same thing.
_SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("order", ("purchase", "order", "order")),
    ("package", ("parcel", "shipment", "delivery", "box")),
    ("parcel", ("package", "shipment")),
    ("item", ("product", "thing")),
    ("I want to", ("I'd like to", "I need to", "I wanna", "I would like to")),
    ("I'd like to", ("I want to", "I wish to", "I'd love to")),
    ("can you", ("could you", "would you", "can u", "are you able to")),
    ("can I", ("could I", "am I able to", "is it possible to")),
    ("please", ("kindly", "pls", "if you can")),
    ("received", ("got", "was sent")),
    ("arrive", ("come", "get here", "show up", "turn up")),
    ("send back", ("return", "post back", "ship back", "mail back")),
    ("my money back", ("a refund", "reimbursed", "refunded")),
    ("change", ("switch", "update", "modify", "amend")),
    ("update", ("change", "edit", "correct")),
    ("wrong", ("incorrect", "bad")),
    ("bought", ("ordered", "purchased", "got")),
    ("tell me", ("let me know", "inform me")),
    ("check", ("look into", "look up", "verify")),
    ("asap", ("right away", "immediately", "quickly")),
    ("terrible", ("horrible", "dreadful", "awful", "appalling")),
    ("disappointed", ("let down", "frustrated", "unhappy")),
    ("shipped", ("dispatched", "sent out", "posted")),
    ("ship", ("dispatch", "send", "post")),
    ("anymore", ("any more", "any longer")),
    ("my refund", ("my reimbursement", "my refund", "my money")),
    ("a refund", ("my money back", "a refund", "a reimbursement")),
    ("damaged", ("broken", "smashed", "dented")),
    ("where is", ("where's", "what happened to")),
    ("cancel my", ("cancel my", "cancel my", "call off my", "scrap my", "stop my")),
    ("return the", ("return the", "return the", "send back the", "give back the")),
)


def _reword(text: str, rng: random.Random) -> str:
    """Swap a few phrases for everyday synonyms."""
    for phrase, options in _SYNONYMS:
        if rng.random() < 0.5:
            pattern = re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)
            text = pattern.sub(lambda _, choices=options: rng.choice(choices), text, count=1)
    return text


def _register(rng: random.Random) -> Register:
    roll, total = rng.random(), 0.0
    for register, weight in REGISTERS:
        total += weight
        if roll < total:
            return register
    return REGISTERS[-1][0]


def _sentence(text: str) -> str:
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def _bury(text: str, rng: random.Random) -> str:
    """The request as one sentence among others that say nothing about it."""
    before = rng.sample(FILLER, rng.randrange(0, 3))
    after = rng.sample(FILLER, rng.randrange(0 if before else 1, 2))
    return " ".join([*before, _sentence(text), *after])


# Where a category's templates come from, and how often each source is drawn.
SOURCES: tuple[tuple[str, dict[Category, tuple[str, ...]], float], ...] = (
    ("t", TEMPLATES, 0.4),
    ("f", FRAMES, 0.3),
    ("m", MORE, 0.22),
    ("x", CONTRASTS, 0.08),
)


# Registers of long messages, which more often carry a sentence or two of circumstance.
_LONG = frozenset({_long_email, _letter, _run_on})

# Categories whose messages get no aside: a compliment or a grumble would change what they are.
_NO_ASIDES = frozenset({Category.OTHER, Category.COMPLAINT})


def _sources(category: Category) -> list[tuple[str, tuple[str, ...], float]]:
    return [(tag, bank[category], weight) for tag, bank, weight in SOURCES if bank.get(category)]


def generate(rng: random.Random, per_category: int) -> list[dict[str, str]]:
    """`per_category` distinct messages per category, each tagged with its template
    (or, for a compositional frame, with the key phrase it used)."""
    rows: list[dict[str, str]] = []
    for category in TEMPLATES:
        sources = _sources(category)
        total = sum(weight for _, _, weight in sources)
        seen: set[str] = set()
        attempts = 0
        while len(seen) < per_category and attempts < per_category * 50:
            attempts += 1
            roll, tag, templates = rng.random() * total, sources[-1][0], sources[-1][1]
            for source_tag, source_templates, weight in sources:
                if roll < weight:
                    tag, templates = source_tag, source_templates
                    break
                roll -= weight
            index = rng.randrange(len(templates))
            text, key = fill_keyed(templates[index], rng)
            if rng.random() < 0.4:
                text = _reword(text, rng)
            register = _register(rng)
            if category is Category.OTHER and rng.random() < 0.6:
                # bare answers and greetings seldom come as long emails or rambles
                register = {_long_email: _letter, _run_on: _chatty}.get(register, register)
            situations = SITUATIONS[category]
            # Long messages tell more of the story around the request.
            told = 0.6 if register in _LONG else 0.3
            for _ in range(2 if register in _LONG and rng.random() < 0.25 else 1):
                if situations and rng.random() < told:
                    situation = _sentence(fill(rng.choice(situations), rng))
                    sentence = _sentence(text)
                    text = (
                        f"{situation} {sentence}"
                        if rng.random() < 0.5
                        else f"{sentence} {situation}"
                    )
            if category is not Category.OTHER and rng.random() < 0.1:
                context = fill(rng.choice(_CONTEXT), rng)
                text = text.rstrip(".") + ("" if text.endswith("?") else ".") + context
            if category not in _NO_ASIDES and rng.random() < 0.1:
                aside, sentence = rng.choice(ASIDES), _sentence(text)
                text = f"{sentence} {aside}" if rng.random() < 0.8 else f"{aside} {sentence}"
            if register is not _long_email and rng.random() < (
                0.08 if category is Category.OTHER else 0.22
            ):
                text = _bury(text, rng)
            text = register(text, rng).strip()
            key_text = text.lower()
            if not text or key_text in seen:
                continue
            seen.add(key_text)
            group = key or f"{tag}{index:03d}"
            rows.append(
                {"text": text, "category": category.value, "template": f"{category.value}/{group}"}
            )
    return rows
