"""The development split: hand-written messages to tune the training corpus and the model on.

The held-out split (`heldout.py`) measures the shipped model for the accuracy gate and
is read only to measure it. Improving the brain needs a measure of its own that may be
looked at as often as one likes: this one. Its messages were written in one sitting,
before the training corpus was last extended, without reading the held-out split and
without copying the training templates: every message is written out whole, in one
of the registers real tickets come in:

- `terse`: a few words, often without a verb ("tracking number for W1187732 pls");
- `plain` and `polite`: one or two ordinary sentences, with or without courtesies;
- `angry`: capitals, exclamation marks, blame, still asking for something concrete;
- `typos`: slips of the finger and misspellings ("cancle", "adress", "refnud");
- `texting`: shorthand, no capitals, little punctuation;
- `non_native`: a customer writing in a second language ("I receive the shoes but is small");
- `email`: a greeting line, a paragraph, a sign-off and a name;
- `rambling`: a long run-on story with the request somewhere in it;
- `multi_intent`: two things at once, one of which is clearly the request (the label).

Labels follow the corpus convention (`training.py`): an angry message with a concrete
request carries that request's category; asking for a person wins; `change_items` is an
order that has not shipped, `exchange` a delivered one; a question about the rule in
general is a `policy_question`.

When the corpus is built, a training line that equals a development message or shares
a run of `SHARED_RUN` words with one is dropped, as for the held-out split, so this
split measures wording the model has not learned verbatim.
"""

from __future__ import annotations

from domain.dialogue import Category

C = Category

MESSAGES: dict[Category, tuple[tuple[str, str], ...]] = {
    C.ORDER_STATUS: (
        ("terse", "wheres my parcel"),
        ("terse", "#W4410923 status?"),
        (
            "plain",
            "I placed an order on the 2nd and I still have no idea when it's going to show up.",
        ),
        (
            "polite",
            "Hi there, would you mind letting me know roughly when my yoga mat will be "
            "delivered? Many thanks.",
        ),
        (
            "angry",
            "Three weeks. THREE WEEKS and still no sign of the kettle I paid for. Where is it?",
        ),
        (
            "typos",
            "hi my oder W5520187 was sposed to come tuesday and its not here yet whats going on",
        ),
        (
            "non_native",
            "Hello, I am still not getting my parcel of order W3390412. Please tell when it "
            "will come to my house.",
        ),
        (
            "email",
            "Hello,\n\nI ordered a hoodie and two pairs of socks from you on 14 May (order "
            "#W7781204). The confirmation said 3-5 working days but I have not had any dispatch "
            "notification yet. Could you let me know whether it has been sent?\n\nKind regards,\n"
            "Marta Kowalska",
        ),
        (
            "rambling",
            "so I ordered this duvet cover ages ago for my daughter who's moving into halls next "
            "week and I keep refreshing the tracking thing but it just says 'label printed' and "
            "nothing else, is it actually coming or what",
        ),
        (
            "multi_intent",
            "Where's order W6612093? It was due yesterday. Also do you have the same lamp in "
            "green, just wondering.",
        ),
        ("texting", "any idea when my stuff turns up? ordered mon"),
        (
            "plain",
            "The courier app says my parcel is at the local depot but it's been there since "
            "Friday. Will it be delivered soon?",
        ),
        ("plain", "Can you check whether order #W2209871 has been dispatched?"),
        ("terse", "tracking number for W1187732 pls"),
        (
            "polite",
            "Good afternoon. Could you please confirm the expected delivery date for my order "
            "#W8830021? Thank you.",
        ),
        (
            "angry",
            "I have been waiting in all day for a delivery that never came. Where is my order??",
        ),
        ("typos", "trackng link dosnt work, wher is my pakage"),
        (
            "non_native",
            "Dear team, my order number W9042218 is showing in transit since 6 days. When it "
            "will reach?",
        ),
        (
            "email",
            "Hi Trustdesk,\n\nJust checking in on order W1023394 - the website still says "
            "'processing'. Has it left the warehouse yet? I need it before Saturday if "
            "possible.\n\nThanks,\nOlu",
        ),
        (
            "rambling",
            "hey, hope you're well! bit of a random one but I ordered a little birthday present "
            "for my nephew, the dinosaur puzzle, and the party is on Sunday, I've had no email "
            "since the order confirmation so I'm starting to panic a bit, any chance you could "
            "tell me where it's at?",
        ),
        (
            "multi_intent",
            "I'm a bit annoyed that it's late, but mainly I just need to know when the air fryer "
            "is arriving.",
        ),
        ("plain", "Has my parcel been handed over to the courier yet?"),
        ("terse", "not delivered yet, order W3300917"),
        (
            "plain",
            "The tracking says delivered but there's nothing on my doorstep or with the "
            "neighbours. Where did it go?",
        ),
        ("polite", "Sorry to chase, but is there any news on when my trainers will be sent out?"),
        ("texting", "yo is my order shipped or nah"),
        (
            "non_native",
            "Please I want to know the situation of my order. I paid 10 days before and nothing "
            "is coming.",
        ),
        (
            "plain",
            "What day should I expect the bookcase to be delivered? I need to be home for it.",
        ),
        ("typos", "been waitin 2 weeks for the blendr, any update??"),
        (
            "angry",
            "Your tracking page has said 'out for delivery' for FOUR days. Is my parcel actually "
            "coming or not?",
        ),
        (
            "email",
            "Dear Sir/Madam,\n\nI am writing to enquire about the whereabouts of order #W5567120, "
            "placed on 3 June. I have received no shipping confirmation.\n\nYours faithfully,\n"
            "R. Patel",
        ),
        ("plain", "Only half my order came. When will the rest of it arrive?"),
        ("terse", "eta?"),
        (
            "multi_intent",
            "where is my order W4456612, and by the way the email you sent had the wrong name "
            "on it",
        ),
        (
            "polite",
            "Could you tell me which courier is bringing my parcel so I can look out for it?",
        ),
        (
            "non_native",
            "Hello, my package is not arrive still. Order is W7702231. Can you check for me?",
        ),
        (
            "rambling",
            "ok so the thing is I was away for the weekend and I got a card through the door "
            "saying they tried to deliver, but now the tracking says returned to sender?? so "
            "where is my parcel now, do I need to do anything",
        ),
        ("texting", "hows my order lookin, W6120034"),
        ("plain", "Is my order still on track to arrive this week?"),
        ("angry", "I paid for next day delivery and it's been five days. Where is it?"),
        (
            "plain",
            "It's been nearly a fortnight since I paid and the doorbell hasn't rung once. Is "
            "anything actually on the way to me?",
        ),
        ("texting", "been checkin my letterbox every day lol still nothin from u guys"),
        (
            "email",
            "Hi,\n\nI bought a pair of walking poles from you ten days ago and haven't heard a "
            "thing since the payment went through. Could you find out what's become of "
            "them?\n\nCheers,\nGav",
        ),
        (
            "non_native",
            "I am buying the bedside lamp on the 3rd and until today nobody bring it. What is "
            "happening with it?",
        ),
        (
            "rambling",
            "so the website gave me a date which was last thursday and thursday came and went "
            "and then friday and now it's tuesday and I'm just sat here wondering if my package "
            "even exists",
        ),
        (
            "polite",
            "Might you be able to find out how far along my parcel is? The link in the email "
            "just shows a blank page.",
        ),
        ("angry", "Paid for express, got nothing. Has it even left your building?"),
    ),
    C.CANCEL_ORDER: (
        ("terse", "cancel W4482210"),
        ("terse", "pls cancel my order"),
        ("plain", "I'd like to cancel the order I made last night, I ended up buying it in store."),
        (
            "polite",
            "Hello, would it be possible to cancel order #W3301176 before it goes out? Thank you "
            "very much.",
        ),
        (
            "angry",
            "I ordered this by accident and your site wouldn't let me undo it. CANCEL IT NOW.",
        ),
        ("typos", "i want to cancle the oder i just made, wrong item"),
        (
            "non_native",
            "Hello, I am not wanting this order anymore, please make cancel for order W5520931.",
        ),
        (
            "email",
            "Hi,\n\nI placed order W2209104 this morning for a standing desk but my office has "
            "since said they'll provide one. Please could you cancel it and refund the payment?"
            "\n\nMany thanks,\nJames Whitfield",
        ),
        (
            "rambling",
            "so funny story, my partner and I both ordered the same stroller without telling each "
            "other, so we've got two coming, can you stop mine please, the one on my account, we "
            "really don't need two",
        ),
        (
            "multi_intent",
            "Please cancel order #W8812045. Also, I'm a bit disappointed the site didn't warn me "
            "it would take three weeks.",
        ),
        ("texting", "dont want it anymore can u cancel"),
        ("plain", "Don't ship order W6653201, I no longer need it."),
        ("plain", "Is it still possible to stop my order? I only placed it an hour ago."),
        (
            "polite",
            "I'm sorry for the trouble, but I need to withdraw my order for the garden chairs.",
        ),
        (
            "angry",
            "It's been 10 days and it hasn't even shipped. I'm done waiting, just cancel the "
            "whole thing.",
        ),
        ("typos", "plz cancell my purchse, orderd twice by misake"),
        (
            "non_native",
            "Dear sir, kindly cancel my order W1190387, I have ordered wrong colour by mistake "
            "and want to do new order.",
        ),
        (
            "email",
            "Good morning,\n\nI would like to cancel my recent order (#W4471920). My circumstances "
            "have changed and I no longer require the items. Please confirm once done.\n\n"
            "Regards,\nHelen Moore",
        ),
        (
            "rambling",
            "hiya, right so I bought the espresso machine on a bit of a whim last night after a "
            "glass of wine and I've woken up and realised it's way over budget, it probably "
            "hasn't gone out yet has it? if not could you call it off please, sorry!",
        ),
        (
            "multi_intent",
            "I want to cancel the order, and can you tell me how long it'll take to get my money "
            "back?",
        ),
        ("terse", "cancel order"),
        ("plain", "I need to cancel my purchase of the bluetooth earbuds."),
        ("plain", "Please don't send my order, I've found the same thing cheaper."),
        (
            "polite",
            "Would you kindly stop order W3345112 from being dispatched? I've changed my mind.",
        ),
        ("texting", "can u scrap my last order thx"),
        (
            "non_native",
            "I make order yesterday but now I not need it. Please cancel and return my money.",
        ),
        (
            "angry",
            "I told you yesterday to cancel it and it still says processing. Cancel my order!",
        ),
        (
            "rambling",
            "okay I've been going back and forth on this all day but I think I'll just cancel "
            "the order for the rug, it's too big for the room now that I've measured properly, "
            "it hasn't shipped yet I hope",
        ),
        ("typos", "cancl order W9982013 no longr needed"),
        (
            "email",
            "Hello team,\n\nPlease cancel order W7736541 in full. It was placed on my account by "
            "my son without permission.\n\nThank you,\nDavid Osei",
        ),
        ("plain", "I'd like to back out of what I bought on Sunday."),
        (
            "plain",
            "Could the order I placed this afternoon be cancelled? I don't want it after all.",
        ),
        ("terse", "stop my order"),
        ("polite", "If my order hasn't been packed yet, I'd be grateful if you could cancel it."),
        (
            "multi_intent",
            "hi, cancel W2201983 pls, you guys are way too slow. and refund to my card",
        ),
        ("non_native", "Please to cancel the order of the kettle, my friend give me one as gift."),
        ("texting", "changed my mind on the headphones, cancel?"),
        (
            "angry",
            "I never wanted this order, your checkout glitched and charged me. Cancel it "
            "immediately.",
        ),
        ("plain", "Can I get my order cancelled before it leaves?"),
        (
            "rambling",
            "so I ordered a bunch of school uniform bits and then the school changed the colours, "
            "of course, so none of it is any use now, can you cancel the whole lot please, it's "
            "order W4019822",
        ),
        (
            "plain",
            "I've had second thoughts about the rowing machine I ordered this morning. Please "
            "make sure it never goes out.",
        ),
        ("texting", "ordered the wrong thing by accident, pls just bin the whole order"),
        (
            "email",
            "Hello,\n\nPlease treat this as notice that I am withdrawing order W5590231. Do not "
            "dispatch it; I'd like the full amount back.\n\nKind regards,\nE. Marsh",
        ),
        ("non_native", "Please, I not want receive this order. Stop it before sending, thank you."),
        (
            "rambling",
            "so I got a bit carried away in your sale last night and bought three pairs of "
            "boots, which my bank account is not thrilled about, is there any way you can just "
            "not send them and give me the money back, they can't have gone yet surely",
        ),
        (
            "polite",
            "I'm afraid I must call off my order for the patio heater. Could you stop it, please?",
        ),
        ("angry", "I said I DON'T want it. Do not send that order, I want nothing from you."),
    ),
    C.CHANGE_ITEMS: (
        ("terse", "change size to M on W3329104, not shipped yet"),
        (
            "plain",
            "I just ordered the linen shirt in blue but I meant white. Can you change it before "
            "it goes out?",
        ),
        (
            "polite",
            "Hello, could you please update my order so the trainers are a size 8 rather than a "
            "7? It hasn't shipped yet. Thank you.",
        ),
        (
            "angry",
            "Your website defaulted to the wrong colour and I didn't notice. Change it to black "
            "before you ship it!",
        ),
        ("typos", "can i chnage the colour on my ordr befor it ships, want grey not beige"),
        (
            "non_native",
            "Hello, in my order I choose wrong size of the jacket. Please change to L before you "
            "send.",
        ),
        (
            "email",
            "Hi,\n\nI placed order #W6623011 an hour ago and selected the 2-person tent by "
            "mistake; I need the 4-person one. Could you swap it before dispatch?\n\nThanks,\n"
            "Katie",
        ),
        (
            "rambling",
            "so I was ordering in a rush on my lunch break and I clicked the 500g bag of coffee "
            "beans instead of the 1kg one, which is annoying because the 1kg is better value, "
            "anyway can you switch that on my order, it only went through about twenty minutes "
            "ago",
        ),
        (
            "multi_intent",
            "Can you change the mug in order W5523019 to the blue one? And out of curiosity, do "
            "you have a loyalty scheme?",
        ),
        ("texting", "can i swap the hoodie in my order for XL its not sent yet"),
        ("plain", "Please amend my pending order: one pack of AA batteries instead of AAA."),
        (
            "plain",
            "I'd like a different variant on my order than the one I chose - the 128GB version "
            "rather than 64GB. It's still processing.",
        ),
        ("terse", "wrong colour picked, order not shipped, pls fix to red"),
        (
            "polite",
            "Would it be possible to change the pillowcases on my order to the king size ones? I "
            "don't think it's been sent yet.",
        ),
        (
            "non_native",
            "My order is still not shipping, so please I want to make change of the shoes to "
            "number 42.",
        ),
        (
            "email",
            "Dear Trustdesk,\n\nRegarding order W8801234, placed today: I'd like to change the "
            "duvet from the 10.5 tog to the 4.5 tog version. It has not been dispatched yet.\n\n"
            "Best wishes,\nSam Reid",
        ),
        (
            "angry",
            "I asked to change the size an hour after ordering and nobody did anything. Change "
            "the dress to a 12 before it ships, please!",
        ),
        (
            "rambling",
            "right so I ordered the kids' bike helmet but my son's head is apparently bigger than "
            "I thought, the medium won't fit, can you make it a large on the order, I'm guessing "
            "it hasn't gone anywhere yet since I only did it this morning",
        ),
        (
            "typos",
            "i ordred the wrong modle of the charger, need usb-c one insted, ordr still pendng",
        ),
        ("texting", "pls change the colour on my order 2 green b4 u send it"),
        (
            "plain",
            "Before you pack my order, could you switch the small frying pan to the large one?",
        ),
        (
            "plain",
            "My order hasn't been sent. Can I replace the standard edition with the deluxe "
            "edition?",
        ),
        (
            "multi_intent",
            "Two things: please change the jeans on W4492201 to a 32 waist before shipping, and "
            "thanks for the quick reply earlier.",
        ),
        (
            "polite",
            "I'm hoping I can still edit my order - I'd like the oak finish instead of walnut for "
            "the side table.",
        ),
        (
            "non_native",
            "Sorry, I make mistake with colour when I order. I want the pink not the purple. "
            "Order is not sent yet.",
        ),
        (
            "email",
            "Hello,\n\nI've just realised I ordered the wrong size bedsheet (double instead of "
            "king) on order #W3002219. As it's still showing as processing, please can you change "
            "it to king?\n\nThank you,\nPriya",
        ),
        ("terse", "need M not S on my open order"),
        (
            "angry",
            "Why does your site make it impossible to edit an order?! I need the charger swapped "
            "for the UK plug version before it ships.",
        ),
        (
            "plain",
            "Could you swap two of the t-shirts in my unshipped order to navy instead of grey?",
        ),
        (
            "rambling",
            "hi, I think I messed up my order, I wanted the cordless version of the vacuum and I "
            "think I got the corded one in the basket, it's still processing, can you sort that "
            "for me so I get the cordless one",
        ),
        ("texting", "order not shipped yet rite? can u make the shoes size 10"),
        ("typos", "chnge the phone case in my ordr to the clear one pls, hasnt shipped"),
        (
            "plain",
            "I'd like a different colour for the backpack in my order that hasn't gone out yet.",
        ),
        (
            "polite",
            "Hi, I chose the wrong strap length for the watch. If it hasn't shipped, could you "
            "change it to the long strap?",
        ),
        (
            "non_native",
            "Please to modify my order W7723109: the lamp must be white colour, not black. Thank "
            "you.",
        ),
        (
            "multi_intent",
            "I'm annoyed I have to email about this, but please change the curtains on my "
            "pending order to the 90 inch drop.",
        ),
        (
            "plain",
            "The order I just put through has the 4-pack of glasses but I wanted the 6-pack. Can "
            "that be fixed before it's packed?",
        ),
        ("texting", "meant 2 pick the charcoal one not the cream, order still processing"),
        (
            "email",
            "Hi there,\n\nOn my order placed an hour ago I selected the queen mattress "
            "protector; it should have been the king. Nothing has been dispatched yet, so could "
            "the item be corrected?\n\nThanks,\nOla",
        ),
        (
            "non_native",
            "In my order I put the wrong model of the printer ink. I need the number 305 not "
            "302. It is still not sent.",
        ),
        (
            "rambling",
            "so I was half asleep when I ordered and picked the toddler size of the pyjamas "
            "instead of the age 7-8 one, classic, it's not been sent yet so could you just put "
            "the right size on instead",
        ),
        (
            "polite",
            "Would it be possible to have the grey rug on my unshipped order instead of the "
            "beige one?",
        ),
        (
            "angry",
            "Your dropdown picked the wrong size for me. Fix my order to size 9 before anything "
            "ships.",
        ),
    ),
    C.CHANGE_ADDRESS: (
        ("terse", "new delivery address for W4401982: 18 Rowan Close, Leeds LS6 2AB"),
        (
            "plain",
            "I put my old flat on the order by mistake. Can you send it to 5 Mill Lane instead?",
        ),
        (
            "polite",
            "Hello, could you please change the delivery address on order #W2219086 to my "
            "office? It's 400 Bishopsgate, London.",
        ),
        (
            "angry",
            "Your checkout autofilled an address I moved out of two years ago. Change where my "
            "order is going NOW.",
        ),
        ("typos", "wrong adress on my oder, its 14 chruch st not 41"),
        (
            "non_native",
            "Hello, I write wrong the address for delivery. Correct is Flat 3, 22 Victoria Road. "
            "Please change for my order.",
        ),
        (
            "email",
            "Hi team,\n\nI'll be staying at my parents' for the next two weeks, so could order "
            "W7702388 please be delivered to 9 Orchard Way, Bath BA1 5QT instead of my home "
            "address?\n\nThanks a lot,\nChris",
        ),
        (
            "rambling",
            "so I'm moving house this weekend which is chaos as you can imagine and I totally "
            "forgot I had an order coming, it's going to go to the old place and the new people "
            "won't know what to do with it, can you redirect it to the new address, it's 27 "
            "Larch Avenue",
        ),
        (
            "multi_intent",
            "Please update the shipping address on order W5510267 to 3 Quay Street. Also, is the "
            "kettle in it the 1.7 litre one?",
        ),
        ("texting", "can u send my order 2 my work address instead, 12 dock rd"),
        ("plain", "The postcode on my order is missing a letter. It should be M14 5TX."),
        ("plain", "Can my parcel go to a different address? It hasn't been sent yet."),
        ("terse", "deliver W6632019 to 55 Bridge St instead pls"),
        (
            "polite",
            "Sorry, the house number I typed at checkout is wrong - 112, not 121. Could you "
            "correct it on the order?",
        ),
        (
            "non_native",
            "Please send my order to other address, my new address is 8 Green Street apartment "
            "4. Thank you.",
        ),
        (
            "email",
            "Dear Customer Services,\n\nI have noticed that the delivery address on order "
            "#W3321076 is incorrect - the street name is misspelt as 'Lidl Road' instead of "
            "'Liddle Road'. Could you amend it before dispatch?\n\nKind regards,\nMargaret Hughes",
        ),
        (
            "angry",
            "The order is going to the wrong address and nobody is answering me. Fix the "
            "delivery address on W8823001!!",
        ),
        (
            "rambling",
            "ok so I won't actually be home next week because I've got a work trip, so rather "
            "than it sitting on the doorstep can you send it to my sister's, she's at 6 Park "
            "Terrace, if that's possible, it's the order with the rug in it",
        ),
        ("typos", "pls chnage delivary adress to 90 elm grove, my ordr hasnt shipd yet"),
        ("texting", "need my parcel sent to my uni halls not home"),
        (
            "plain",
            "I want this order delivered to my neighbour's house at number 14 as I'll be out.",
        ),
        ("plain", "Is it too late to change where order W1129854 is being delivered?"),
        (
            "multi_intent",
            "Can you redirect my order to 2 Baker Mews? Oh and your app keeps logging me out, "
            "just so you know.",
        ),
        (
            "polite",
            "Would you mind updating the address for this one delivery only? It should go to 71 "
            "Station Road.",
        ),
        (
            "non_native",
            "The address in my order is not correct, it is missing apartment number 12B. Please "
            "add.",
        ),
        (
            "email",
            "Hi,\n\nCould you change the delivery address for my most recent order to:\n\n44 "
            "Harbour View\nFalmouth\nTR11 3AB\n\nI've only just moved. Thanks,\nEve",
        ),
        ("terse", "wrong zip on my order, should be 30301"),
        (
            "angry",
            "I typed my address correctly and your system changed it! Ship my order to 19 Cedar "
            "Road, not Cedar Avenue.",
        ),
        (
            "rambling",
            "hey so slightly awkward but I sent the gift straight to my friend and then found "
            "out she's moved, so could the parcel go to her new place instead, 3 Windmill Hill, "
            "it hasn't gone out yet I think",
        ),
        ("texting", "change address on my order plz, 7 rose ct"),
        ("typos", "i gave the wrong apartmnt numbr on the order, its 5C not 3C"),
        (
            "polite",
            "Could my order be delivered to the collection point near my work instead of home?",
        ),
        (
            "non_native",
            "I am moving to new house tomorrow, please my order send there: 15 Lake Street.",
        ),
        (
            "multi_intent",
            "Please change the delivery address on W4420087 to 10 Fern Road - and I'm not happy "
            "it's taking this long.",
        ),
        ("plain", "I need the courier to take order W9012783 to my office, not my house."),
        (
            "plain",
            "My order is set to go to my old flat but I moved out yesterday. Could the courier "
            "bring it to 8 Tanner Street?",
        ),
        ("texting", "im not gonna be at that address anymore, pls make it go to 33 hill rd"),
        (
            "email",
            "Hello,\n\nI've just noticed that the house name on my order (W6630129) says 'Rose "
            "Cotage'. It should read 'Rose Cottage', Little Hampton. Could you correct it so the "
            "parcel arrives?\n\nThanks,\nDiane",
        ),
        (
            "non_native",
            "The parcel will go to my old home. Please you can put my new place, 40 Mill Road, "
            "for this order?",
        ),
        (
            "rambling",
            "so annoyingly the order defaulted to my work address and I'm on holiday from "
            "tomorrow for two weeks so nobody will be there to take it in, can it come to my "
            "home instead, 12 Brook Lane",
        ),
        (
            "polite",
            "Could you please point my parcel at my daughter's house instead? It's 5 Alder Close.",
        ),
        (
            "angry",
            "I TOLD you the flat number when I ordered. Put 4B on the order before it ends up at "
            "the wrong door.",
        ),
    ),
    C.CHANGE_PAYMENT: (
        ("terse", "pay with paypal instead for W3390217"),
        (
            "plain",
            "My debit card has just been cancelled by the bank. Can I pay for my order a "
            "different way?",
        ),
        (
            "polite",
            "Hello, could I switch the payment on my order to my Mastercard please? Thank you.",
        ),
        (
            "angry",
            "You charged the wrong card! I want the order paid with my PayPal, not my business "
            "card.",
        ),
        ("typos", "can i chnage the card i paid with, its expird"),
        (
            "non_native",
            "Hello, I want to pay my order with other card because first card is blocked. How I "
            "can change?",
        ),
        (
            "email",
            "Hi,\n\nI'd like to use my gift voucher balance to pay for order #W5512098 instead of "
            "my credit card. Is that possible while it's still processing?\n\nThanks,\nLaura",
        ),
        (
            "rambling",
            "so I paid for my order with my work card by accident, which is going to be an "
            "awkward conversation with finance, is there any way to move the payment over to my "
            "personal Visa before it ships",
        ),
        (
            "multi_intent",
            "Can I pay for W6610832 with Apple Pay instead of card? Also is it still arriving "
            "Thursday?",
        ),
        ("texting", "can i use my other card for my order"),
        ("plain", "Please take the payment for order W2207745 from my PayPal account instead."),
        ("terse", "switch payment to amex"),
        (
            "polite",
            "Would it be possible to pay for my pending order using store credit instead of my "
            "card?",
        ),
        ("non_native", "Please, charge my order on my wife card, not mine. Is possible?"),
        (
            "email",
            "Dear team,\n\nThe card I used for order W8890124 has been reported lost. Please "
            "could you charge my new card ending 5521 instead?\n\nBest regards,\nTom Baker",
        ),
        (
            "angry",
            "My payment keeps failing and I'm sick of it. Let me pay for the order with PayPal!",
        ),
        (
            "rambling",
            "hi so I just got a gift card for my birthday and I'd rather use that on the order I "
            "placed on tuesday than my credit card, is it too late for that",
        ),
        ("typos", "wana pay wiht paypal not visa for my last oder"),
        ("plain", "I'd like to change the payment method on my open order."),
        ("plain", "Can the charge for my order be put on a different card?"),
        ("texting", "payment on my order - can u use my debit card not credit"),
        (
            "polite",
            "I wonder if I could settle my order with a bank transfer instead of the card I "
            "entered?",
        ),
        ("non_native", "I want to make payment by other method for my order W4412099 please."),
        (
            "multi_intent",
            "Please change the payment method on my order to PayPal. Thanks, and sorry for all "
            "the emails this week.",
        ),
        (
            "email",
            "Hello,\n\nI paid for order #W3378820 with my credit card but would prefer to use my "
            "debit card ending 0093. Could you update this before it ships?\n\nThanks,\nNadia",
        ),
        (
            "angry",
            "Why did you bill my old card? I updated it months ago. Charge the right card for "
            "this order.",
        ),
        ("terse", "use gift card for my order pls"),
        ("plain", "The card on my order expires this month. Can I swap it for a new one?"),
        ("typos", "can u chage paymnt methd on my ordr to paypal"),
        (
            "rambling",
            "ok so weird question but my card got frozen by the bank because of some fraud "
            "thing, nothing to do with you, but it means my order payment might bounce, can I "
            "pay with something else instead",
        ),
        (
            "non_native",
            "Kindly change the payment of my order to the gift card, I have balance on it.",
        ),
        (
            "polite",
            "Hi, could the payment for my latest order go on my partner's card instead? They've "
            "said they'll pay for it.",
        ),
        ("texting", "wrong card used on my ordr, can i change it"),
        ("plain", "I'd like a different card to be used for the order I put in yesterday."),
        ("texting", "can i put my order on paypal insted of the card i used"),
        (
            "email",
            "Dear team,\n\nI would prefer the outstanding order W2280341 to be billed to my "
            "company card ending 7781 rather than my personal one.\n\nRegards,\nM. Okonkwo",
        ),
        ("non_native", "The money for my order, I want you take from my other bank card please."),
        (
            "rambling",
            "hey so my partner said she'd go halves on the order so rather than my card can you "
            "put it on hers, I can send you the details, it hasn't shipped so hopefully that's "
            "fine",
        ),
        (
            "polite",
            "Could the amount for my pending order be taken from my gift card balance instead?",
        ),
        (
            "angry",
            "Stop trying to charge a card that doesn't exist anymore! Use my PayPal for the order.",
        ),
    ),
    C.RETURN: (
        ("terse", "return W4490012"),
        (
            "plain",
            "The jacket came yesterday but it's way too small. How do I send it back for a refund?",
        ),
        (
            "polite",
            "Hello, I'd like to return the desk I received last week as it doesn't fit in my "
            "room. Could you send me a returns label please?",
        ),
        (
            "angry",
            "The blender arrived with a cracked jug. I want to send it back and get my money "
            "back, today.",
        ),
        ("typos", "want to retrn the shoes they hurt my feet, how do i do it"),
        (
            "non_native",
            "Hello, the product I receive is not good quality. I want to give back and have my "
            "money.",
        ),
        (
            "email",
            "Hi,\n\nI received order #W5521190 on Monday. Unfortunately the rug is a different "
            "shade from the photos online, so I'd like to return it for a full refund.\n\nBest,\n"
            "Anna Lindqvist",
        ),
        (
            "rambling",
            "so I got the headphones on friday and honestly they're fine but they sit really "
            "weird on my ears and after an hour I've got a headache, so I think I'm going to send "
            "them back, they're in the box still, what do I do",
        ),
        (
            "multi_intent",
            "I want to return the lamp, it flickers. Also your packaging was excessive, just "
            "saying.",
        ),
        ("texting", "how do i send stuff back"),
        (
            "plain",
            "I'd like a refund for the toaster I received - it stopped working after two days.",
        ),
        ("plain", "Can I return just one item from my order?"),
        ("terse", "need return label"),
        (
            "polite",
            "Please could you arrange collection of the sofa? It isn't the colour I ordered and "
            "I'd like to return it.",
        ),
        (
            "non_native",
            "I receive wrong colour of the bag. I want to return it back please, tell me how.",
        ),
        (
            "email",
            "Dear Sir or Madam,\n\nI wish to return the coat from order W2201997 under your "
            "returns policy. It is unworn with tags attached. Please advise on next steps.\n\n"
            "Yours sincerely,\nGeorge Allen",
        ),
        (
            "angry",
            "This is the second faulty kettle you've sent me. I want a refund, take it back!",
        ),
        (
            "rambling",
            "hey so my mum bought me this cardigan from your shop as a present and it's lovely "
            "but it's really not my colour and she says she kept the receipt, can I return it and "
            "get the money put back on her card",
        ),
        ("typos", "the dress doesnt fit, can i retunr it for a refund pls"),
        ("texting", "can i return the trainers i got tues? too big"),
        ("plain", "I'd like my money back for the vase, it arrived in pieces."),
        ("plain", "I want to return everything from my last order."),
        (
            "multi_intent",
            "Where do I send the broken chair back to? And can the refund go to my PayPal?",
        ),
        (
            "polite",
            "I'm afraid the bedding isn't right for us. Would it be possible to return it?",
        ),
        (
            "non_native",
            "Please I want return for order W6619902, the size of shoes is too big for me.",
        ),
        (
            "email",
            "Hello,\n\nThe smartwatch I received (order #W7710042) won't hold a charge for more "
            "than a few hours. I'd like to return it for a refund rather than a replacement.\n\n"
            "Thanks,\nBen Carter",
        ),
        (
            "angry",
            "Absolute junk. The handle fell off the pan the first time I used it. I want a full "
            "refund and I'm sending it back.",
        ),
        (
            "rambling",
            "ok so I ordered two sizes of the same jeans to see which fit, like you do, and the "
            "30 fits great, so I need to send the 32 back, how does that work, do I need to print "
            "something",
        ),
        ("terse", "refund for broken item pls"),
        ("texting", "want my money back 4 the blender its rubbish"),
        ("plain", "How do I get a refund on the boots I received? They leak."),
        ("typos", "recieved the wrong item, want to retun it for my money back"),
        (
            "polite",
            "Could you help me return a gift I received? It's a duplicate of something I already "
            "have.",
        ),
        (
            "non_native",
            "This speaker is broken from the box. I want to send back and take my money.",
        ),
        ("plain", "I changed my mind about the lamp that arrived, can I still send it back?"),
        (
            "multi_intent",
            "I'd like to return the speaker, the bass is awful. Do you have a better one you'd "
            "recommend?",
        ),
        (
            "email",
            "Hi there,\n\nPlease can I return the two cushions from my recent order? They are not "
            "the size described on the website.\n\nCheers,\nMo",
        ),
        ("texting", "the hoodie shrunk after 1 wash, can i send it back"),
        ("angry", "Sent me the wrong size AND it's stained. I'm returning it. Send me a label."),
        ("plain", "Please start a return for the garden hose, it splits at the connector."),
        (
            "plain",
            "The lamp turned up with a dent in the base. I'd like to send it back and have the "
            "money put back on my card.",
        ),
        ("texting", "not keeping the jumper, how do i post it back to u"),
        (
            "email",
            "Hello,\n\nThe speaker from order W1198832 gave up after a week. I'd rather post it "
            "back and have my money than get another one.\n\nRegards,\nStefan",
        ),
        (
            "non_native",
            "The trousers I get are not fitting me and I don't like. I want give them back and "
            "you pay me back.",
        ),
        (
            "rambling",
            "so I bought a massage gun thinking it would help my back and honestly it's way too "
            "strong and I'm just not using it, it's practically new, can I post it back to you "
            "and get my money",
        ),
        (
            "polite",
            "I'm afraid the curtains aren't right for the room. Could I post them back for a "
            "refund?",
        ),
        (
            "angry",
            "This toaster burnt out on day two. I want my money, and you can have your rubbish "
            "back.",
        ),
    ),
    C.EXCHANGE: (
        ("terse", "exchange jeans for size 34"),
        (
            "plain",
            "The trainers I got are half a size too small. Can I swap them for a 9.5?",
        ),
        (
            "polite",
            "Hello, the shirt I received is lovely but a little tight. Could I exchange it for a "
            "large please?",
        ),
        (
            "angry",
            "You sent the wrong colour. I don't want a refund, I want the navy one I actually "
            "ordered!",
        ),
        ("typos", "can i excahnge the jumper for a biger size, it came yesterday"),
        (
            "non_native",
            "I receive the shoes but is small. I want change to bigger number, not money back.",
        ),
        (
            "email",
            "Hi,\n\nI received order #W4402187 today. The duvet cover is the single size but I "
            "need a double. Could I exchange it rather than return it?\n\nThanks,\nLucy",
        ),
        (
            "rambling",
            "so the dress arrived and I love it, honestly, but the medium is just a bit too snug "
            "round the middle, so could I swap it for a large instead, same colour, I'd rather "
            "not go through a whole refund thing",
        ),
        (
            "multi_intent",
            "Can I swap the blue mug I got for the green one? Also, do you ever restock the "
            "speckled ones?",
        ),
        ("texting", "can i swap the hoodie i got 4 a medium"),
        (
            "plain",
            "Please send me the same coat in black; the grey one that arrived doesn't suit me, "
            "I'll send it back.",
        ),
        ("plain", "I'd like to exchange the kettle I received for the cordless model."),
        ("terse", "swap for size L pls, arrived yesterday"),
        (
            "polite",
            "Would it be possible to exchange the trousers I received for a longer leg length?",
        ),
        (
            "non_native",
            "The colour of the shirt I got is different from the picture. I want to exchange to "
            "the real blue, please.",
        ),
        (
            "email",
            "Dear team,\n\nThe boots from order W3310928 arrived on Friday but are a size too "
            "big. I'd like to exchange them for a size 6. Please let me know how to proceed.\n\n"
            "Kind regards,\nFiona",
        ),
        (
            "angry",
            "Third time ordering this and AGAIN the wrong size turned up. Swap it for the right "
            "one and pay the postage.",
        ),
        (
            "rambling",
            "hi so the bike helmet came for my son and he tried it on and it just wobbles around, "
            "way too big, can we swap it for the small one, he still really likes the colour so "
            "same colour please",
        ),
        ("typos", "the shirt i got is to small can i swop for XL"),
        ("texting", "got the wrong size shoes can i exchange"),
        ("plain", "Instead of a refund, I'd like a replacement in a different colour."),
        ("plain", "The pillow I received is too firm. Can I trade it for the soft version?"),
        (
            "multi_intent",
            "I need to exchange the gloves I got for a medium. They're great otherwise, thanks!",
        ),
        (
            "polite",
            "Could I swap the mug set that arrived for the matching plates instead?",
        ),
        (
            "non_native",
            "Please exchange my jacket for size S, the M is too big. I have receive it on Monday.",
        ),
        (
            "email",
            "Hello,\n\nMy daughter's school shoes (order #W6602301) came this week but pinch at "
            "the toes. Can we exchange them for the next size up?\n\nThank you,\nClaire Dunn",
        ),
        ("terse", "exchange pls, wrong colour sent"),
        (
            "angry",
            "The phone case doesn't even fit my phone. Send me the right model and I'll post "
            "this one back.",
        ),
        (
            "rambling",
            "ok so I ordered the 12 piece cutlery set and got it yesterday, and it's nice, but "
            "we've realised we need the 24 piece one because of the whole family coming at "
            "christmas, can I swap it for that and pay the difference",
        ),
        ("texting", "want to trade the grey jumper for the blue one"),
        (
            "plain",
            "Can I get the same sandals one size bigger in exchange for the ones I received?",
        ),
        ("typos", "exchnage the bed sheets for king size pls they came today"),
        (
            "polite",
            "Hi, I received the wrong size rug. I'd be grateful if you could exchange it for the "
            "160x230 one.",
        ),
        (
            "non_native",
            "I want to do exchange for the trousers. The length is too short, please give me "
            "longer one.",
        ),
        (
            "multi_intent",
            "The shorts are too small so I'd like to swap them for a medium - and please don't "
            "refund me, I still want them.",
        ),
        (
            "plain",
            "The boots that came are too narrow. Could you send a wide fit and I'll post these "
            "ones back?",
        ),
        ("texting", "jeans too long, can i get the short leg ones instead"),
        (
            "email",
            "Hi,\n\nThe jumper from order W9981204 arrived in mustard rather than the olive I "
            "chose. I'd like the olive one sent out in its place, please.\n\nThanks,\nHannah",
        ),
        (
            "non_native",
            "I get the dress in size 10 but I need 12. Can you give me the 12 and I send back "
            "the 10?",
        ),
        (
            "rambling",
            "so the coffee grinder arrived and it's lovely but it's the manual one and I "
            "definitely wanted the electric one, so could I send it back and have the electric "
            "one sent instead, happy to pay the difference",
        ),
        ("polite", "Would you be able to replace the medium gloves I received with a large pair?"),
        ("angry", "I got a small when I ordered a large. Send me the large and collect this one."),
    ),
    C.REFUND_STATUS: (
        ("terse", "refund not received yet"),
        ("plain", "I sent the boots back two weeks ago and I still haven't been refunded."),
        (
            "polite",
            "Hello, could you let me know whether the refund for my returned jacket has been "
            "processed? Thank you.",
        ),
        (
            "angry",
            "You cancelled my order 3 weeks ago and I STILL don't have my money. Where is it?",
        ),
        ("typos", "when do i get my refnud, returnd the item last wk"),
        (
            "non_native",
            "Hello, I send back the product already 10 days. Still the money is not coming in my "
            "account.",
        ),
        (
            "email",
            "Hi,\n\nYour warehouse confirmed receipt of my return (order #W2290018) on 2 May, but "
            "the refund hasn't appeared on my card. Could you check what's happening?\n\nThanks,\n"
            "Isla",
        ),
        (
            "rambling",
            "so I returned a lamp ages ago, like the start of last month, and I got an email "
            "saying you'd received it and everything, but nothing has come back into my account "
            "and I'm starting to think it's been forgotten about",
        ),
        (
            "multi_intent",
            "Where is my refund for order W5501982? Also, will you be restocking the blue version?",
        ),
        ("texting", "still no money back from my return??"),
        ("plain", "Has the money for my cancelled order been sent back to PayPal yet?"),
        ("plain", "How long until I see the refund for the kettle I returned?"),
        ("terse", "refund status W6672190"),
        (
            "polite",
            "I'm just following up on a refund I was told would take 5 days - it's been 10. Could "
            "you look into it?",
        ),
        (
            "non_native",
            "Please check my refund. I cancel order but the money is not return to my card until "
            "now.",
        ),
        (
            "email",
            "Dear Customer Services,\n\nI returned the items from order W8812099 over three weeks "
            "ago and have yet to receive a refund. I would appreciate an update.\n\nYours "
            "faithfully,\nPeter Grant",
        ),
        (
            "angry",
            "I've been waiting a MONTH for my refund. This is theft. Where is my money?",
        ),
        (
            "rambling",
            "hiya, bit of a chase up really, the return went back via the post office on the 4th, "
            "I've got the receipt and the tracking says you got it on the 7th, but the refund "
            "still hasn't shown on my statement, can you see if it's stuck somewhere",
        ),
        ("typos", "my refnd for the cancled ordr hasnt come thru yet"),
        ("texting", "did u send my refund yet"),
        ("plain", "Was the refund for my return issued? I can't see it on my statement."),
        (
            "plain",
            "I was promised my money back when you cancelled my order. When will it arrive?",
        ),
        (
            "multi_intent",
            "My refund still hasn't come through, and honestly the whole return process was a "
            "pain.",
        ),
        (
            "polite",
            "Could you confirm the date my refund was sent, please? My bank can't see it.",
        ),
        (
            "non_native",
            "I am waiting my reimbursement since two weeks for the returned shoes. Please help.",
        ),
        (
            "email",
            "Hello,\n\nI'm writing to chase the refund for my cancelled order (#W3392016). The "
            "cancellation email said 3-5 working days; it has now been eight.\n\nRegards,\nKwame",
        ),
        ("angry", "Stop ignoring me. Has my refund gone through or not?"),
        ("terse", "where's my money back"),
        ("texting", "refund for the return still pending?? its been ages"),
        ("plain", "The return was accepted but the refund hasn't landed in my account."),
        (
            "rambling",
            "ok so I'm not sure how long these things usually take but I sent the coat back about "
            "ten days ago and haven't heard anything, no email no money, has it even got to you, "
            "and when will I get refunded",
        ),
        ("typos", "returnd 2 items 3 wks ago, still waitng for refund"),
        (
            "polite",
            "Hi, just wondering if there's an update on the refund for my returned shirt?",
        ),
        ("non_native", "The money of my returned item, when it will come back? Order W7720012."),
        (
            "multi_intent",
            "I'd like an update on my refund please. Also can you remove me from your mailing "
            "list?",
        ),
        (
            "plain",
            "You confirmed you got my parcel back last week. When does the money come back to me?",
        ),
        ("texting", "sent the shoes back ages ago still no cash on my card"),
        (
            "email",
            "Hello,\n\nAfter cancelling order W4410076 on the 12th I was told the payment would "
            "be reversed within five days. My bank still shows the charge. Could you look into "
            "it?\n\nThanks,\nYusuf",
        ),
        (
            "non_native",
            "I give back the coat two weeks before but my money is not back in bank. When it come?",
        ),
        (
            "rambling",
            "so I'm a bit confused, the courier collected the fridge on Monday and the driver "
            "said the money would go back automatically but it's Friday now and my card still "
            "shows the full amount taken",
        ),
        (
            "polite",
            "Could you check whether the credit for my returned headphones has been released yet?",
        ),
        (
            "angry",
            "You took the chair back two weeks ago and still haven't paid me. Where is my money?",
        ),
    ),
    C.POLICY_QUESTION: (
        ("terse", "returns policy?"),
        ("plain", "How many days after delivery can I still send something back?"),
        (
            "polite",
            "Hello, could you tell me whether you accept returns on sale items? Thank you.",
        ),
        (
            "angry",
            "Why is it so hard to find your returns policy? How long do I get to return things?",
        ),
        ("typos", "do u do free retruns or do i have to pay postage"),
        (
            "non_native",
            "Hello, I want to know if it is possible to change product after I buy, what is rule?",
        ),
        (
            "email",
            "Hi,\n\nBefore I place an order, could you tell me how long refunds typically take to "
            "reach a credit card once a return is received?\n\nThanks,\nJo",
        ),
        (
            "rambling",
            "so I'm thinking about buying a sofa from you but it's a big purchase and I'm "
            "nervous, like what happens if it arrives and it doesn't fit through the door, can I "
            "send it back, is there a charge for that, how does it all work",
        ),
        (
            "multi_intent",
            "What's your policy on exchanging gifts without a receipt? Also love the new website.",
        ),
        ("texting", "how long do refunds take usually"),
        ("plain", "Do you deliver to Ireland?"),
        ("plain", "Can an order be cancelled once it has been dispatched?"),
        ("terse", "free shipping?"),
        (
            "polite",
            "Could you tell me whether items need to be in their original packaging to be "
            "returned?",
        ),
        ("non_native", "Please tell me, how many days is your return time? I want to buy jacket."),
        (
            "email",
            "Dear team,\n\nDo you offer exchanges on underwear and swimwear, or are those "
            "excluded for hygiene reasons?\n\nBest regards,\nMaria",
        ),
        (
            "angry",
            "Nobody can give me a straight answer: do you charge a restocking fee or not?",
        ),
        (
            "rambling",
            "hi, quick question that's probably in your FAQ somewhere but I can't find it, if I "
            "buy something as a present and the person doesn't like it, can they exchange it "
            "themselves or does it have to be me",
        ),
        ("typos", "wats ur exchange polcy"),
        ("texting", "do u ship to canada"),
        ("plain", "Is there a warranty on electrical items?"),
        ("plain", "If an item arrives damaged, do I get a replacement or a refund?"),
        (
            "multi_intent",
            "How long does standard delivery usually take? I might order a few things this "
            "weekend.",
        ),
        (
            "polite",
            "I'd like to understand your refund policy before ordering - does the refund go back "
            "to the original card?",
        ),
        ("non_native", "It is possible to return the opened product? Or only closed box?"),
        (
            "email",
            "Hello,\n\nI'm considering a large order for my office. Could you tell me what your "
            "policy is on returning unused items from bulk orders?\n\nKind regards,\nDaniel Frost",
        ),
        ("terse", "return window?"),
        (
            "angry",
            "I've read your terms twice and it's clear as mud. Who pays for return postage?",
        ),
        (
            "rambling",
            "ok so I'm one of those people who always changes their mind, so before I buy "
            "anything, how long have I got to change my mind and cancel an order, like is it "
            "until it ships or what",
        ),
        ("texting", "can u return stuff bought in the sale"),
        ("plain", "What is the time limit for exchanging an item?"),
        ("typos", "how log does delivery take normaly"),
        (
            "polite",
            "Do you offer price adjustments if something goes on sale after I've bought it?",
        ),
        ("non_native", "What is the rule if the parcel is lost by courier? I get the money back?"),
        ("plain", "Can I return something without the receipt?"),
        (
            "multi_intent",
            "Do refunds include the original delivery charge? Thinking of buying a couple of "
            "shirts.",
        ),
        (
            "email",
            "Hi there,\n\nDo you charge anything to cancel an order, or is it free as long as it "
            "hasn't shipped?\n\nThanks,\nRuth",
        ),
        ("plain", "Are refunds made in store credit or money?"),
        (
            "plain",
            "If I buy a dress for a wedding and it doesn't suit me, how long would I have to "
            "send it back?",
        ),
        ("texting", "do u take stuff back if its been worn once"),
        (
            "email",
            "Hello,\n\nI'm planning to order some furniture. If something arrives damaged, who "
            "arranges the collection and how long does a replacement usually "
            "take?\n\nThanks,\nTerry",
        ),
        (
            "non_native",
            "When I buy something and I am not happy, I can have my money back? How many days?",
        ),
        (
            "rambling",
            "so before I order anything, I live on an island and a lot of shops won't post here, "
            "do you send to Jersey and if so is it much more expensive",
        ),
        ("polite", "Do you usually allow customers to swap items bought in the sale?"),
        ("angry", "Simple question and nobody answers: can I change my mind after paying or not?"),
    ),
    C.PRODUCT_QUESTION: (
        ("terse", "is the kettle in stock?"),
        (
            "plain",
            "Does the walnut desk come flat-packed, or is it delivered assembled?",
        ),
        (
            "polite",
            "Hello, could you tell me whether the linen duvet cover comes in a super king size? "
            "Thank you.",
        ),
        (
            "angry",
            "Your product page doesn't say ANYTHING about the battery life. How long does the "
            "speaker last?",
        ),
        ("typos", "is the yoga mat non slip, cant tell from the pics"),
        (
            "non_native",
            "Hello, this shoes are good for running on mountain? Or only for road?",
        ),
        (
            "email",
            "Hi,\n\nI'm interested in the 2-person hiking tent. Could you tell me its packed "
            "weight and whether it includes a footprint?\n\nThanks,\nNeil",
        ),
        (
            "rambling",
            "so I've been eyeing up that green velvet armchair for weeks and I think I'm finally "
            "going to buy it, but my cat likes to scratch everything, is the fabric going to "
            "survive a cat, be honest",
        ),
        (
            "multi_intent",
            "Is the air fryer basket safe in the dishwasher? Also your site is really nice to use.",
        ),
        ("texting", "does the hoodie come in xs"),
        (
            "plain",
            "What's the difference between the standard and pro versions of the electric "
            "toothbrush?",
        ),
        ("plain", "Will the phone case fit a Pixel 8?"),
        ("terse", "blender wattage?"),
        (
            "polite",
            "Would you be able to tell me if the wooden toys are painted with non-toxic paint?",
        ),
        ("non_native", "The table is made from real wood or from other material? Please tell me."),
        (
            "email",
            "Dear team,\n\nCould you confirm the dimensions of the oak bookcase, and whether it "
            "can be fixed to the wall?\n\nKind regards,\nHarriet",
        ),
        (
            "angry",
            "I've asked twice now. Is the green jacket coming back in stock or not?",
        ),
        (
            "rambling",
            "hi, my daughter wants one of those light up trainers for her birthday and I can't "
            "work out from the website if they need batteries or if they charge with a cable, and "
            "also are they ok to get wet",
        ),
        ("typos", "do the headphnes have noise cancelling"),
        ("texting", "is the blue one available in L"),
        ("plain", "Is the kettle's base compatible with the older model?"),
        ("plain", "Which of your vacuum cleaners is best for pet hair?"),
        (
            "multi_intent",
            "Is the standing desk height adjustable electrically? Thinking of ordering one next "
            "week.",
        ),
        ("polite", "I'm looking for a gift. Does the scented candle come in a gift box?"),
        ("non_native", "How many litre is the rice cooker? For family of five is enough?"),
        (
            "email",
            "Hello,\n\nIs the stainless steel water bottle suitable for hot drinks, and does it "
            "fit in a car cup holder?\n\nThanks,\nAmir",
        ),
        ("terse", "is the rain jacket properly waterproof"),
        (
            "angry",
            "Why doesn't anyone list the materials? What is the sofa actually made of?",
        ),
        ("texting", "wat size shud i get if im usually a 10"),
        ("plain", "Do the earrings contain nickel? I'm allergic."),
        ("typos", "dose the tent come with pegs"),
        (
            "polite",
            "Can you recommend a pushchair that folds small enough for a car boot?",
        ),
        ("non_native", "This lamp, the bulb is included or I must buy separate?"),
        ("plain", "When will you have the 1TB version back?"),
        ("plain", "How tall is the floor lamp with the shade on?"),
        ("texting", "the grey sofa, is it pet friendly fabric"),
        (
            "email",
            "Hi,\n\nI'm thinking of buying the cast iron casserole dish. Can it be used on an "
            "induction hob, and is it oven safe?\n\nThanks,\nPaolo",
        ),
        ("non_native", "The baby chair, until how many kilos it is safe? My baby is 14 kg."),
        (
            "rambling",
            "so my husband is very tall, like six foot five, and we're looking at your desks, "
            "would the tallest one actually go high enough for him to stand at it",
        ),
        ("polite", "Could you let me know if the wool blanket is machine washable?"),
        (
            "angry",
            "Your listing says 'large' with no measurements. How big is the bag in centimetres?",
        ),
    ),
    C.ACCOUNT_ADDRESS: (
        ("terse", "update my saved address pls"),
        (
            "plain",
            "I've moved house. Please change the address on my account to 22 Heath Road, "
            "Sheffield.",
        ),
        (
            "polite",
            "Hello, could you update the default delivery address on my profile? It's now 4 "
            "Willow Gardens. Thank you.",
        ),
        (
            "angry",
            "I've changed my address in my account three times and it keeps reverting. Update my "
            "profile address properly!",
        ),
        ("typos", "pls updte the adress on my acount, i moved"),
        (
            "non_native",
            "Hello, I change my house. Please put new address in my account: 10 River Street.",
        ),
        (
            "email",
            "Hi,\n\nCould you update the address saved on my account to 3 Hollow Lane, York YO1 "
            "7HH? This is for future orders, nothing is currently in progress.\n\nThanks,\nBeth",
        ),
        (
            "rambling",
            "so we finally moved into the new place last month, which has been a saga, and I just "
            "noticed your site still has the old address on my account, can you change it so I "
            "don't accidentally send stuff to the old flat next time",
        ),
        (
            "multi_intent",
            "Please update the address on my profile to 8 Cliff Road. And thanks for the great "
            "service last time.",
        ),
        ("texting", "new address 4 my account: 19 pine st"),
        ("plain", "Please remove my old address from my account and save the new one as default."),
        ("plain", "How do I change the home address stored in my profile?"),
        ("terse", "change account address to 5 Elm Row"),
        (
            "polite",
            "Would you mind changing the billing address on my account? I've recently moved.",
        ),
        (
            "non_native",
            "My address in the profile is old one. Please make it new: Flat 2, 17 Queen Street.",
        ),
        (
            "email",
            "Dear Customer Services,\n\nPlease amend the address held on my customer account. My "
            "new address is 61 Kingsway, Cardiff CF10 3AB.\n\nYours sincerely,\nOwen Price",
        ),
        (
            "angry",
            "Your website won't let me edit my saved address. Change it for me: 12 Mount Pleasant.",
        ),
        (
            "rambling",
            "hi so I don't have any orders on the go at the moment but I'm about to start "
            "ordering again and I realised my account's got my uni address on it from like three "
            "years ago, can you update it to my current one",
        ),
        ("typos", "my acount stil has my old adress on it, pls chnage"),
        ("texting", "can u update my profile address i moved"),
        ("plain", "I want my default shipping address for all future orders to be my office."),
        ("plain", "Please set 90 Harbour Street as the main address on my account."),
        (
            "multi_intent",
            "Can you update my saved address to 7 Birch Way? Also I'd like to stop the marketing "
            "emails.",
        ),
        (
            "polite",
            "I'd be grateful if you could update my account details with my new address.",
        ),
        (
            "non_native",
            "Please to change the address in my account settings, I live now in other city.",
        ),
        (
            "email",
            "Hello,\n\nI've relocated for work. Could the address saved on my profile be changed "
            "to 150 Canal Street, Manchester? No order needs changing.\n\nMany thanks,\nRahul",
        ),
        ("terse", "account address wrong"),
        ("plain", "The address on file for me is out of date. Can you update it?"),
        ("texting", "profile still shows old addy, fix pls"),
        (
            "polite",
            "Could you update the address associated with my account for future deliveries, "
            "please?",
        ),
        (
            "non_native",
            "I am moving next week. For my next orders, please change the address saved in my "
            "account.",
        ),
        (
            "plain",
            "Whenever I check out, the old address comes up. Can you replace it with 14 Granary "
            "Lane for good?",
        ),
        ("texting", "my details still got my old place on them, pls put 8 mill st"),
        (
            "email",
            "Hello,\n\nPlease replace the address on my customer record with Flat 6, 20 Bell "
            "Street, Reading. There's nothing on order at the moment.\n\nThanks,\nCarla",
        ),
        (
            "non_native",
            "In my customer details the address is old. I live now in 3 Oak Avenue. Please save "
            "this.",
        ),
        (
            "rambling",
            "hi, so I've been meaning to sort this for ages, every time I buy something I have "
            "to retype my address because your site remembers the old one, can you just swap it "
            "over on my account to 25 Quarry Road",
        ),
        ("polite", "Could you please make 7 Meadow View my default address from now on?"),
        (
            "angry",
            "Every single time I order, the old address pops up. Change the one saved on my "
            "account!",
        ),
    ),
    C.TALK_TO_HUMAN: (
        ("terse", "human pls"),
        ("plain", "I'd rather talk to an actual person about this."),
        (
            "polite",
            "Hello, would it be possible to speak to a member of your customer service team?",
        ),
        ("angry", "I'm done with this robot. Put me through to a real person NOW."),
        ("typos", "can i tlak to a reel person"),
        ("non_native", "Please, I want speak with a human person from your company."),
        (
            "email",
            "Hi,\n\nI have a complicated issue with several orders and would prefer to discuss it "
            "with a member of staff. Could someone contact me?\n\nThanks,\nGrace",
        ),
        (
            "rambling",
            "ok I've tried explaining this three times now and it's clearly not getting through, "
            "no offence, so is there a person I can talk to, like a proper person who can look at "
            "my account",
        ),
        (
            "multi_intent",
            "This is a mess with my order and the refund and everything - I want to speak to a "
            "manager.",
        ),
        ("texting", "need a real person"),
        ("plain", "Can I get a phone call from someone on your team?"),
        ("plain", "Is there anyone I can chat to live?"),
        ("terse", "operator"),
        ("polite", "I'd appreciate it if a human could take over this conversation."),
        (
            "non_native",
            "Sorry, I not understand the automatic answers. Can a person help me?",
        ),
        (
            "email",
            "Dear Sir or Madam,\n\nI would like to escalate my issue to a supervisor. Please "
            "arrange for someone to call me.\n\nRegards,\nMr. K. Lewis",
        ),
        ("angry", "Stop sending me canned replies. I want a human being."),
        (
            "rambling",
            "hi, sorry, I'm not very good with these chat things, is there a real person who can "
            "help me, my grandson usually does this for me",
        ),
        ("typos", "transfr me to an agnet"),
        ("texting", "get me an actual human"),
        ("plain", "Please pass me on to customer support."),
        ("plain", "I need to speak with someone in charge."),
        (
            "multi_intent",
            "My parcel is late and the tracking makes no sense, can I just talk to somebody?",
        ),
        ("polite", "Could I speak to a customer service representative, please?"),
        (
            "non_native",
            "I want to talk with your staff by telephone. Somebody can call me?",
        ),
        (
            "email",
            "Hello,\n\nCan I please speak to a person rather than the automated assistant? It's "
            "regarding a warranty claim.\n\nBest,\nLiam",
        ),
        ("terse", "agent"),
        ("angry", "Is there ANYONE real working there? I want to talk to someone!"),
        ("texting", "can i chat w a person"),
        ("typos", "i want to spek to a manger"),
        ("plain", "Connect me to a live agent."),
        ("polite", "Would a team member be able to ring me back this afternoon?"),
        ("non_native", "Please give me the real human, the bot is not understanding me."),
        (
            "plain",
            "This needs somebody who can actually look at my account. Can a colleague pick it up?",
        ),
        ("texting", "can some1 ring me"),
        (
            "email",
            "Hello,\n\nI'd prefer to speak to someone on the phone about this. My number is on "
            "the account; please ask a member of the team to call.\n\nThanks,\nBarbara",
        ),
        (
            "non_native",
            "Please somebody from your office can call me? Writing is difficult for me.",
        ),
        (
            "rambling",
            "look I'm sure you're very clever and all but this is going round in circles, could "
            "you hand me over to one of your colleagues, an actual one, with a name",
        ),
        ("polite", "Would you mind passing this on to one of your team members?"),
        ("angry", "Enough with the automated nonsense. Get me someone who works there."),
    ),
    C.COMPLAINT: (
        ("terse", "worst shop ever"),
        ("plain", "I'm really disappointed with how long everything has taken."),
        (
            "polite",
            "I don't want to make a fuss, but I was quite disappointed by the state the parcel "
            "arrived in.",
        ),
        ("angry", "Your delivery driver left my parcel in a puddle. Absolutely pathetic."),
        ("typos", "very unhapy with the servise i got"),
        (
            "non_native",
            "I am very sad with your service. Nobody is answering my emails since one week.",
        ),
        (
            "email",
            "Dear Trustdesk,\n\nI wanted to let you know how poor my experience has been. The "
            "website crashed twice at checkout and the confirmation email never arrived. Not good "
            "enough.\n\nRegards,\nSimon Ward",
        ),
        (
            "rambling",
            "I don't usually write these but honestly, the whole thing has been so stressful, the "
            "parcel was late, the box was soaking, half the tissue paper was ripped, and when I "
            "rang nobody picked up, I just expected more from you",
        ),
        (
            "multi_intent",
            "I'm disgusted with the quality. I'm not even going to bother returning it.",
        ),
        ("texting", "ur service is rubbish tbh"),
        ("plain", "The courier was rude and threw my parcel at the door."),
        ("plain", "I've been a customer for years and this is the worst it's ever been."),
        ("terse", "not impressed"),
        (
            "polite",
            "I'm sorry to say I'm very unhappy with the quality of the towels I bought.",
        ),
        ("non_native", "The product quality is very bad, I am not happy with your company."),
        (
            "email",
            "Hello,\n\nI'd like to register a formal complaint about the way I was spoken to by "
            "your staff on the phone yesterday.\n\nSincerely,\nJanet Cole",
        ),
        (
            "angry",
            "Ridiculous. Five emails and not a single reply. What kind of company is this?",
        ),
        (
            "rambling",
            "so I've been shopping with you for years, like literally since you started, and "
            "lately everything's just gone downhill, late deliveries, cheap packaging, and now "
            "the stuff itself feels cheaper, it's really sad",
        ),
        ("typos", "this is ridiculus, the box was crushd and nobody cares"),
        ("texting", "so annoyed rn, parcel came all wet"),
        (
            "plain",
            "I'm unhappy that my order was split into three deliveries without telling me.",
        ),
        ("plain", "The item looks nothing like the photos. Very misleading."),
        ("multi_intent", "Honestly the delivery was a joke. Anyway, thanks for nothing."),
        (
            "polite",
            "With respect, the service I've received this month has been well below what I expect.",
        ),
        (
            "non_native",
            "I want to complain about the delivery man, he was not polite and throw the box.",
        ),
        (
            "email",
            "Hi,\n\nJust a note to say I'm very disappointed. My order arrived late, the "
            "packaging was damaged and the invoice was wrong.\n\nThanks,\nPaula",
        ),
        ("terse", "disgraceful service"),
        ("angry", "You people are useless. Every single order goes wrong."),
        ("texting", "never ordering from u again"),
        ("typos", "im so fustrated with ur company"),
        ("plain", "It's not acceptable to make customers wait this long for a reply."),
        (
            "rambling",
            "look I'm not asking for anything, I just want someone to know that the way my order "
            "was handled was really poor and I won't be back",
        ),
        (
            "non_native",
            "Very bad experience. The product is broken and smell bad. I am angry.",
        ),
        (
            "polite",
            "I thought you should know your courier left my parcel in the bin store without a "
            "note. Not great.",
        ),
        (
            "plain",
            "The box was held together with tape and half the contents were loose. Not the "
            "standard I expect.",
        ),
        ("texting", "honestly so fed up with u lot"),
        (
            "email",
            "Hello,\n\nI just want to say that the way my last three orders have been handled "
            "has been poor. Late, badly packed and no communication.\n\nRegards,\nNigel",
        ),
        (
            "non_native",
            "Your courier make my parcel wet and dirty. This is not okay, I am very unhappy.",
        ),
        (
            "rambling",
            "I've honestly lost count of the number of times I've had to chase you about "
            "something, and every time it's the same story, apologies and then nothing, it's "
            "exhausting",
        ),
        ("polite", "I'm writing simply to say I've been let down by the service lately."),
        ("angry", "What a shambles. I've never dealt with such an incompetent shop."),
    ),
    C.OTHER: (
        ("terse", "hello"),
        ("terse", "thanks!"),
        ("plain", "Do you have a shop in Manchester?"),
        ("polite", "Good morning, I hope you're well."),
        ("angry", "I can't log into my account and the reset link doesn't work!!"),
        ("typos", "how do i resett my pasword"),
        ("non_native", "Hello, I am student, there is discount for students?"),
        (
            "email",
            "Hi,\n\nCould you send me a VAT invoice for my last purchase? I need it for my "
            "expenses.\n\nThanks,\nMark",
        ),
        (
            "rambling",
            "hi so I saw on instagram you might be looking for people to do product photos and "
            "I've got a small studio, would you be interested in working together, let me know",
        ),
        ("multi_intent", "Thanks so much for sorting that out! Have a great weekend."),
        ("texting", "ok cool thx"),
        ("plain", "My email address is lena.fischer@example.org."),
        ("plain", "The order number is W5520123."),
        ("terse", "W8830012"),
        ("terse", "yes"),
        ("terse", "no thanks"),
        ("polite", "That's everything, thank you for your help."),
        ("non_native", "Thank you very much for your help, have nice day."),
        ("plain", "Are you a real person or a chatbot?"),
        ("plain", "Do you sell gift cards?"),
        (
            "email",
            "Hello,\n\nI'd like to unsubscribe from your newsletter, please.\n\nRegards,\n"
            "T. Nguyen",
        ),
        ("texting", "r u open on bank holidays"),
        ("plain", "Can you close my account for me?"),
        ("plain", "Can I change the email address I log in with?"),
        ("terse", "ok"),
        ("typos", "thnaks for the hlep"),
        ("polite", "Could I please have a copy of my receipt?"),
        (
            "rambling",
            "hey, sorry, I started typing a question and then I figured it out myself, so "
            "nevermind, all good, thanks anyway",
        ),
        ("plain", "My name is Priya Shah and my zip code is 60614."),
        ("plain", "It's the one I ordered on Tuesday."),
        ("texting", "sure go ahead"),
        ("non_native", "Hello, is there job vacancy in your warehouse?"),
        ("plain", "Do you have an affiliate programme for bloggers?"),
        ("terse", "hi there"),
        ("plain", "Yes, that's the right order."),
        (
            "email",
            "Good afternoon,\n\nI'm a reporter writing about independent retailers and wondered "
            "if someone could answer a few questions for an article.\n\nBest,\nAlice Grey",
        ),
        ("plain", "Is there an app I can download?"),
        ("multi_intent", "Lovely, that's all sorted then. Cheers!"),
        (
            "angry",
            "Why do you keep sending me marketing emails? Take me off your list!",
        ),
        ("plain", "ada.king@example.net"),
        ("typos", "whats ur phone numbr"),
        ("non_native", "I am sorry, I write to wrong company."),
        ("plain", "Can I get a copy of the invoice for order W5512001?"),
        ("texting", "kk thanks"),
        (
            "email",
            "Hello,\n\nDo you offer any discounts for charities buying in bulk? We're a small "
            "animal rescue.\n\nBest,\nJen",
        ),
        ("non_native", "Good day, I want to ask if you have a shop in my country, Poland?"),
        (
            "rambling",
            "hi there, nothing wrong at all, just wanted to say the scarf I bought my mum went "
            "down a treat and she's worn it every day since, so thank you",
        ),
        ("polite", "Could you tell me how to change my password?"),
        ("angry", "I've tried three times to reset my password and the email never comes!!"),
    ),
}


def generate() -> list[dict[str, str]]:
    """Every development message once, in a fixed order: `{"text", "category", "style"}`."""
    return [
        {"text": text, "category": category.value, "style": style}
        for category, messages in MESSAGES.items()
        for style, text in messages
    ]
